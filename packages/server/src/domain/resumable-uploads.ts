import type { Readable } from 'node:stream';
import type { UploadOutcome, UploadRecord, UploadRepository } from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';
import { DomainError, notFound } from './errors.ts';
import { uuidv7 } from './ids.ts';
import type { Principal } from './principal.ts';
import type { ReceivedDigests } from './received-digests.ts';
import { type BodyChecksum, ChecksumVerifier } from './upload-checksum.ts';
import type { UploadLock, UploadLocks } from './upload-locks.ts';
import type { UploadService } from './uploads.ts';

/** An upload active this recently needs no new expiry before bytes arrive: it moves by at most this. */
const RECENT_MS = 10_000;
/** A request whose body moved no byte for this long gives way to a newer one for its upload. */
const IDLE_MS = 1_000;

/** tus concatenation: a part of a file, or the file made of parts (their upload ids, in order). */
export type Concatenation = { kind: 'partial' } | { kind: 'final'; parts: string[] };

export interface NewUpload {
  /** Undefined when deferred (creation-defer-length), and for a final upload (its parts' sum). */
  length: number | undefined;
  metadata: Record<string, string | null>;
  concat?: Concatenation | undefined;
}

/** What a client may know of an upload (tus HEAD). */
export interface UploadStatus {
  id: string;
  length: number | undefined;
  offset: number;
  metadata: Record<string, string | null>;
  concat: Concatenation | undefined;
  /** When an unfinished upload expires; undefined once finished. */
  expiresAt: Date | undefined;
  /** Set once the upload is finished: the pivot's answer, the same for every retry. */
  outcome: UploadOutcome | undefined;
}

export interface AppendInput {
  /** Where the client says its bytes start (tus Upload-Offset). */
  offset: number;
  /** A deferred length, declared now (tus Upload-Length on a PATCH). */
  length?: number | undefined;
  body: Readable;
  /** The body's size when the request declared it. */
  bodyBytes?: number | undefined;
  checksum?: BodyChecksum | undefined;
}

export interface ResumableUploadSettings {
  maxUploadBytes: number;
  expiryMs: number;
}

/** The client's offset is not the server's: nothing was written, and here is where to go on. */
export class OffsetMismatchError extends DomainError {
  readonly offset: number;

  constructor(offset: number, sent: number) {
    super(
      'upload_conflict',
      `The upload holds ${offset} bytes, not ${sent}: resume from Upload-Offset ${offset}`,
    );
    this.offset = offset;
  }
}

/** Why an append was stopped: the problem to answer, and whether the body's bytes are taken back. */
class StopBody extends Error {
  readonly problem: DomainError;
  readonly takeBack: boolean;
  constructor(problem: DomainError, takeBack: boolean) {
    super(problem.message);
    this.problem = problem;
    this.takeBack = takeBack;
  }
}

const parseConcat = (value: string | null): Concatenation | undefined => {
  if (value === null) return undefined;
  if (value === 'partial') return { kind: 'partial' };
  return { kind: 'final', parts: value.slice('final;'.length).split(' ').filter(Boolean) };
};

const formatConcat = (concat: Concatenation | undefined): string | null =>
  concat === undefined
    ? null
    : concat.kind === 'partial'
      ? 'partial'
      : `final;${concat.parts.join(' ')}`;

/**
 * Resumable uploads as tus 1.0 models them (core, creation,
 * creation-defer-length, termination, expiration, checksum,
 * concatenation), whatever speaks the protocol on the wire. Bytes go to the
 * staging port, records to the metadata store; a complete upload goes
 * through the pivot, whose outcome is kept, so a retried last request is
 * answered as the first was and never runs the pivot twice. Every request
 * on an upload holds its lock; a caller sees only its own uploads.
 */
export class ResumableUploads {
  readonly #records: UploadRepository;
  readonly #staging: UploadStaging;
  readonly #uploads: UploadService;
  readonly #digests: ReceivedDigests;
  readonly #locks: UploadLocks;
  readonly #settings: ResumableUploadSettings;

  constructor(
    records: UploadRepository,
    staging: UploadStaging,
    uploads: UploadService,
    digests: ReceivedDigests,
    locks: UploadLocks,
    settings: ResumableUploadSettings,
  ) {
    this.#records = records;
    this.#staging = staging;
    this.#uploads = uploads;
    this.#digests = digests;
    this.#locks = locks;
    this.#settings = settings;
  }

  /** Creates an upload; a final one (concatenation) is assembled and completed at once. */
  async create(principal: Principal, input: NewUpload): Promise<UploadStatus> {
    if (input.concat?.kind === 'final') return this.#createFinal(principal, input, input.concat);
    await this.#uploads.admit(
      principal,
      input.metadata,
      input.length,
      input.concat?.kind === 'partial',
    );
    const record = this.#newRecord(principal, input.length, input.metadata, input.concat);
    await this.#staging.create(record.id);
    await this.#records.insert(record);
    return this.#status(record, 0);
  }

  async status(principal: Principal, id: string): Promise<UploadStatus> {
    const record = await this.#owned(principal, id);
    return this.#status(record, await this.#offset(record));
  }

  /**
   * Appends bytes at the client's offset; completes the upload through the
   * pivot when they are the last. The last request, retried (with no body)
   * on a finished upload, answers with the same outcome.
   */
  async append(principal: Principal, id: string, input: AppendInput): Promise<UploadStatus> {
    const lock = await this.#locks.acquire(id);
    try {
      const record = await this.#owned(principal, id);
      if (parseConcat(record.concat)?.kind === 'final') {
        throw new DomainError(
          'forbidden',
          'A final upload is made of its parts: it takes no bytes',
        );
      }
      if (record.outcome) return await this.#replay(record, input);
      const offset = await this.#offset(record);
      if (this.#expired(record)) throw gone();
      if (input.offset !== offset) throw new OffsetMismatchError(offset, input.offset);
      const length = await this.#declareLength(record, input.length, offset);
      const end = await this.#receive(record, offset, length, input, lock);
      const finished = length !== undefined && end === length;
      // A finished part waits for its final upload: it stays alive as long as an unfinished one.
      if (!finished || parseConcat(record.concat)?.kind === 'partial')
        return this.#status(record, end, await this.#touch(record.id));
      return await this.#complete({ ...record, length: end });
    } finally {
      lock.release();
    }
  }

  /** Terminates an upload: its record goes, and its bytes unless the saga needs them. */
  async terminate(principal: Principal, id: string): Promise<void> {
    const lock = await this.#locks.acquire(id);
    try {
      const record = await this.#owned(principal, id);
      const sagaOwnsBytes = record.outcome?.kind === 'photo' && !record.outcome.duplicate;
      if (!sagaOwnsBytes) await this.#staging.remove(id);
      this.#digests.forget(id);
      await this.#records.delete(id);
    } finally {
      lock.release();
    }
  }

  async #complete(record: UploadRecord): Promise<UploadStatus> {
    const size = record.length ?? 0;
    const outcome = await this.#uploads.complete({
      record,
      sha256: this.#digests.digest(record.id, size),
      earlyProbe: this.#digests.earlyProbe(record.id),
    });
    return this.#status({ ...record, outcome }, size);
  }

  /** A request on a finished upload: the last one again, with no bytes, or a mistake. */
  async #replay(record: UploadRecord, input: AppendInput): Promise<UploadStatus> {
    const length = record.length ?? 0;
    if (input.offset !== length) throw new OffsetMismatchError(length, input.offset);
    if ((input.bodyBytes ?? 0) > 0 || (await hasBytes(input.body)))
      throw tooLong(length, input.offset);
    return this.#status(record, length);
  }

  /**
   * Streams the body into staging, checking its length, checksum and
   * preemption as it goes; resolves to the upload's new offset. A body
   * whose checksum fails, or that runs past the upload's length, is taken
   * back whole; one that breaks off keeps what arrived, unless a checksum
   * was to vouch for it.
   */
  async #receive(
    record: UploadRecord,
    offset: number,
    length: number | undefined,
    input: AppendInput,
    lock: UploadLock,
  ): Promise<number> {
    const room = (length ?? this.#settings.maxUploadBytes) - offset;
    if ((input.bodyBytes ?? 0) > room) throw tooLong(length, offset, room);
    const verifier = input.checksum && new ChecksumVerifier(input.checksum);
    const stop = new AbortController();
    let lastByteAt = Date.now();
    lock.onPreempt(() => {
      if (Date.now() - lastByteAt < IDLE_MS) return;
      const problem = new DomainError(
        'upload_conflict',
        'This request sent nothing for a while, and a newer one for the upload took over',
      );
      stop.abort(new StopBody(problem, false));
    });
    if (!this.#isRecentlyActive(record)) await this.#records.touch(record.id, this.#nextExpiry());
    const watch = this.#digests.watch(record.id, offset);
    let received = 0;
    try {
      const end = await this.#staging.append(record.id, offset, input.body, {
        signal: stop.signal,
        onChunk: (chunk) => {
          lastByteAt = Date.now();
          received += chunk.length;
          if (received > room) stop.abort(new StopBody(tooLong(length, offset, room), true));
          watch.onChunk(chunk);
          verifier?.update(chunk);
        },
      });
      if (verifier && !verifier.matches()) {
        throw new StopBody(
          new DomainError(
            'checksum_mismatch',
            `The body's ${input.checksum?.algorithm} checksum does not match Upload-Checksum: none of its bytes were kept`,
          ),
          true,
        );
      }
      watch.stored(end);
      return end;
    } catch (error) {
      watch.lost();
      // A checksum vouches for the whole body or for none of it.
      if ((error instanceof StopBody && error.takeBack) || verifier)
        await this.#staging.truncate(record.id, offset);
      if (error instanceof StopBody) throw error.problem;
      if (isStorageFailure(error)) throw error;
      const kept = (await this.#staging.size(record.id)) ?? offset;
      throw new DomainError(
        'bad_request',
        `The request body broke off after ${received} bytes; the upload holds ${kept}: resume from there`,
        { cause: error },
      );
    } finally {
      lock.onPreempt(undefined);
    }
  }

  async #createFinal(
    principal: Principal,
    input: NewUpload,
    concat: Extract<Concatenation, { kind: 'final' }>,
  ): Promise<UploadStatus> {
    if (concat.parts.length === 0) throw badConcat('names no partial uploads');
    const parts = await Promise.all(concat.parts.map((id) => this.#owned(principal, id)));
    // Every part consumed by the same final upload: a retry of the request that made it.
    const consumedBy = new Set(
      parts.map((part) => (part.outcome?.kind === 'concatenated' ? part.outcome.finalId : '')),
    );
    const [earlier] = consumedBy;
    if (consumedBy.size === 1 && earlier) return this.#resumeFinal(principal, earlier);
    let length = 0;
    for (const part of parts) {
      if (parseConcat(part.concat)?.kind !== 'partial')
        throw badConcat(`${part.id} is not a partial upload`);
      if (part.outcome) throw badConcat(`${part.id} is part of another final upload already`);
      if (part.length === null || (await this.#offset(part)) !== part.length)
        throw badConcat(`${part.id} is not complete`);
      length += part.length;
    }
    await this.#uploads.admit(principal, input.metadata, length);
    const record = this.#newRecord(principal, length, input.metadata, concat);
    await this.#staging.create(record.id);
    await this.#records.insert(record);
    const lock = await this.#locks.acquire(record.id);
    try {
      await this.#concatenate(record.id, parts);
      const now = new Date().toISOString();
      for (const part of parts) {
        await this.#records.finish(
          part.id,
          { kind: 'concatenated', finalId: record.id },
          now,
          part.expiresAt,
        );
        await this.#staging.remove(part.id);
      }
      return await this.#complete(record);
    } finally {
      lock.release();
    }
  }

  /** A final upload asked for again: its outcome, or its pivot run again if it never finished. */
  async #resumeFinal(principal: Principal, id: string): Promise<UploadStatus> {
    const lock = await this.#locks.acquire(id);
    try {
      const record = await this.#owned(principal, id);
      if (record.outcome) return this.#status(record, record.length ?? 0);
      if ((await this.#offset(record)) !== record.length) throw gone();
      return await this.#complete(record);
    } finally {
      lock.release();
    }
  }

  /** Copies the parts' bytes into the final upload, hashing and probing them on the way. */
  async #concatenate(id: string, parts: readonly UploadRecord[]): Promise<void> {
    let offset = 0;
    const watch = this.#digests.watch(id, 0);
    try {
      for (const part of parts) {
        const bytes = await this.#staging.read(part.id);
        offset = await this.#staging.append(id, offset, bytes, { onChunk: watch.onChunk });
      }
    } catch (error) {
      watch.lost();
      throw error;
    }
    watch.stored(offset);
  }

  async #declareLength(
    record: UploadRecord,
    declared: number | undefined,
    offset: number,
  ): Promise<number | undefined> {
    if (declared === undefined) return record.length ?? undefined;
    if (record.length !== null) {
      if (declared === record.length) return declared;
      throw new DomainError('bad_request', `The upload's length is ${record.length} already`);
    }
    if (declared < offset) {
      throw new DomainError(
        'bad_request',
        `Upload-Length ${declared} is below the ${offset} bytes received`,
      );
    }
    this.#uploads.checkSize(declared);
    if (!(await this.#records.declareLength(record.id, declared))) {
      throw new DomainError('upload_conflict', 'The upload’s length was declared meanwhile', {
        retryAfterSeconds: 1,
      });
    }
    record.length = declared;
    return declared;
  }

  async #owned(principal: Principal, id: string): Promise<UploadRecord> {
    const record = await this.#records.byId(id);
    if (!record || record.ownerId !== principal.user.id) throw notFound('Upload');
    return record;
  }

  /** Bytes held: all of them once finished (the saga may have taken them away since). */
  async #offset(record: UploadRecord): Promise<number> {
    if (record.outcome) return record.length ?? 0;
    const size = await this.#staging.size(record.id);
    if (size === undefined) throw gone();
    return size;
  }

  #status(record: UploadRecord, offset: number, expiresAt?: string): UploadStatus {
    return {
      id: record.id,
      length: record.length ?? undefined,
      offset,
      metadata: record.metadata,
      concat: parseConcat(record.concat),
      expiresAt: record.outcome ? undefined : new Date(expiresAt ?? record.expiresAt),
      outcome: record.outcome ?? undefined,
    };
  }

  #newRecord(
    principal: Principal,
    length: number | undefined,
    metadata: Record<string, string | null>,
    concat: Concatenation | undefined,
  ): UploadRecord {
    return {
      id: uuidv7(),
      ownerId: principal.user.id,
      length: length ?? null,
      metadata,
      concat: formatConcat(concat),
      createdAt: new Date().toISOString(),
      expiresAt: this.#nextExpiry(),
      finishedAt: null,
      outcome: null,
    };
  }

  #expired(record: UploadRecord): boolean {
    return Date.parse(record.expiresAt) < Date.now();
  }

  /** Whether bytes arrived in the last moments: then the expiry need not move before more arrive. */
  #isRecentlyActive(record: UploadRecord): boolean {
    const lastActivity = Date.parse(record.expiresAt) - this.#settings.expiryMs;
    return Date.now() - lastActivity <= RECENT_MS;
  }

  #nextExpiry(): string {
    return new Date(Date.now() + this.#settings.expiryMs).toISOString();
  }

  async #touch(id: string): Promise<string> {
    const expiresAt = this.#nextExpiry();
    await this.#records.touch(id, expiresAt);
    return expiresAt;
  }
}

const gone = () =>
  new DomainError('gone', 'The upload expired or its bytes are gone: start it again');

const badConcat = (why: string) =>
  new DomainError('bad_request', `Upload-Concat: the final upload ${why}`);

function tooLong(length: number | undefined, offset: number, room = 0): DomainError {
  return new DomainError(
    'payload_too_large',
    length === undefined
      ? `The body runs past the ${offset + room} bytes an upload may have`
      : `The body runs past the upload's length: ${room} bytes of ${length} are left after offset ${offset}`,
  );
}

/** Whether a body has any byte in it (a retry of the last request should have none). */
async function hasBytes(body: Readable): Promise<boolean> {
  for await (const chunk of body) if ((chunk as Buffer).length > 0) return true;
  return false;
}

/** The disk (or store) failed, not the request: a server error, not the client's. */
function isStorageFailure(error: unknown): boolean {
  const syscall = (error as { syscall?: unknown }).syscall;
  return typeof syscall === 'string' && syscall !== 'read';
}
