import type { Readable } from 'node:stream';
import type { UploadRecord, UploadRepository } from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';
import { DomainError, notFound } from './errors.ts';
import { uuidv7 } from './ids.ts';
import { OffThreadHash } from './off-thread-hash.ts';
import type { Principal } from './principal.ts';
import { type ReceivedDigests, UNWATCHED } from './received-digests.ts';
import { receiveBody, tooLong } from './upload-body.ts';
import type { UploadLocks } from './upload-locks.ts';
import {
  type AppendInput,
  type Concatenation,
  formatConcat,
  gone,
  type NewUpload,
  OffsetMismatchError,
  parseConcat,
  statusOf,
  type UploadStatus,
} from './upload-status.ts';
import type { UploadService } from './uploads.ts';

/** A creation's answer: `replayed` when an earlier creation with the same key made the upload. */
export type Created = UploadStatus & { replayed?: true };

/** Metadata as one text, whatever order its keys came in. */
const canonical = (metadata: Record<string, string | null>) =>
  JSON.stringify(Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** An upload active this recently needs no new expiry before bytes arrive: it moves by at most this. */
const RECENT_MS = 10_000;

export interface ResumableUploadSettings {
  maxUploadBytes: number;
  expiryMs: number;
}

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

  /**
   * Creates an upload; a final one (concatenation) is assembled and
   * completed at once. A creation sent again with the caller's token and
   * `Idempotency-Key` is answered with the upload the first one made
   * (`replayed`): its bytes are not taken again.
   */
  async create(principal: Principal, input: NewUpload): Promise<Created> {
    const key = input.idempotencyKey && `${principal.token.id} ${input.idempotencyKey}`;
    const earlier = key ? await this.#records.byCreationKey(key) : undefined;
    if (earlier) return this.#replayCreation(earlier, input);
    if (input.concat?.kind === 'final')
      return this.#createFinal(principal, input, input.concat, key);
    await this.#uploads.admit(
      principal,
      input.metadata,
      input.length,
      input.concat?.kind === 'partial',
    );
    const record = this.#newRecord(principal, input, input.length, key);
    const replayed = await this.#insert(record, input);
    if (replayed) return replayed;
    // An empty upload is complete once it exists: it has its pivot (which refuses it) now.
    if (input.length === 0 && input.concat?.kind !== 'partial') return await this.#complete(record);
    return statusOf(record, 0);
  }

  /**
   * Stages and records a new upload; when a creation with the same key got
   * there first (the same request sent twice at once), answers with its upload.
   */
  async #insert(record: UploadRecord, input: NewUpload): Promise<Created | undefined> {
    await this.#staging.create(record.id);
    if (await this.#records.insert(record)) return undefined;
    await this.#staging.remove(record.id);
    const winner = record.creationKey
      ? await this.#records.byCreationKey(record.creationKey)
      : undefined;
    if (!winner) throw new Error('an upload lost a creation race to one that is not there');
    return this.#replayCreation(winner, input);
  }

  /** The upload an earlier creation with the same key made, if it was the same request. */
  async #replayCreation(earlier: UploadRecord, input: NewUpload): Promise<Created> {
    const same =
      earlier.concat === formatConcat(input.concat) &&
      (input.concat?.kind === 'final' || earlier.length === (input.length ?? null)) &&
      canonical(earlier.metadata) === canonical(input.metadata);
    if (!same) {
      throw new DomainError(
        'idempotency_key_reused',
        'This Idempotency-Key created another upload, with other headers: use a new key',
      );
    }
    return { ...statusOf(earlier, await this.#offset(earlier)), replayed: true };
  }

  async status(principal: Principal, id: string): Promise<UploadStatus> {
    const record = await this.#owned(principal, id);
    return statusOf(record, await this.#offset(record));
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
      const concat = parseConcat(record.concat)?.kind;
      if (concat === 'final') {
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
      if (!this.#isRecentlyActive(record)) await this.#records.touch(record.id, this.#nextExpiry());
      const end = await receiveBody(
        this.#staging,
        { uploadId: record.id, offset, length, maxBytes: this.#settings.maxUploadBytes },
        input,
        concat === 'partial' ? UNWATCHED : this.#digests.watch(record.id, offset),
        lock,
      );
      const finished = length !== undefined && end === length;
      // A finished part waits for its final upload: it stays alive as long as an unfinished one.
      if (!finished || concat === 'partial')
        return statusOf(record, end, await this.#touch(record.id));
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

  /** Runs the pivot; `sha256` when the bytes were hashed as they were put together. */
  async #complete(record: UploadRecord, sha256?: string): Promise<UploadStatus> {
    const size = record.length ?? 0;
    const outcome = await this.#uploads.complete({
      record,
      sha256: sha256 ?? (await this.#digests.digest(record.id, size)),
      earlyProbe: this.#digests.earlyProbe(record.id),
    });
    return statusOf({ ...record, outcome }, size);
  }

  /** A request on a finished upload: the last one again, with no bytes, or a mistake. */
  async #replay(record: UploadRecord, input: AppendInput): Promise<UploadStatus> {
    const length = record.length ?? 0;
    if (input.offset !== length) throw new OffsetMismatchError(length, input.offset);
    if ((input.bodyBytes ?? 0) > 0 || (await hasBytes(input.body)))
      throw tooLong(length, input.offset);
    return statusOf(record, length);
  }

  async #createFinal(
    principal: Principal,
    input: NewUpload,
    concat: Extract<Concatenation, { kind: 'final' }>,
    key: string | undefined,
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
    const record = this.#newRecord(principal, input, length, key);
    const replayed = await this.#insert(record, input);
    if (replayed) return replayed;
    const lock = await this.#locks.acquire(record.id);
    try {
      const sha256 = await this.#concatenate(record.id, parts);
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
      return await this.#complete(record, sha256);
    } finally {
      lock.release();
    }
  }

  /** A final upload asked for again: its outcome, or its pivot run again if it never finished. */
  async #resumeFinal(principal: Principal, id: string): Promise<UploadStatus> {
    const lock = await this.#locks.acquire(id);
    try {
      const record = await this.#owned(principal, id);
      if (record.outcome) return statusOf(record, record.length ?? 0);
      if ((await this.#offset(record)) !== record.length) throw gone();
      return await this.#complete(record);
    } finally {
      lock.release();
    }
  }

  /** Copies the parts' bytes into the final upload, hashing and probing them on the way. */
  /**
   * Puts the parts together as the final upload's bytes; resolves to their
   * SHA-256, computed on the hashing thread while the bytes are copied.
   */
  async #concatenate(id: string, parts: readonly UploadRecord[]): Promise<string> {
    const hash = new OffThreadHash('sha256');
    let offset = 0;
    try {
      for (const part of parts) {
        const bytes = await this.#staging.read(part.id);
        offset = await this.#staging.append(id, offset, bytes, { onChunk: (c) => hash.update(c) });
      }
    } catch (error) {
      hash.discard();
      throw error;
    }
    return (await hash.digest()).toString('hex');
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

  #newRecord(
    principal: Principal,
    input: NewUpload,
    length: number | undefined,
    creationKey: string | undefined,
  ): UploadRecord {
    return {
      id: uuidv7(),
      ownerId: principal.user.id,
      length: length ?? null,
      metadata: input.metadata,
      concat: formatConcat(input.concat),
      createdAt: new Date().toISOString(),
      expiresAt: this.#nextExpiry(),
      finishedAt: null,
      outcome: null,
      creationKey: creationKey ?? null,
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

const badConcat = (why: string) =>
  new DomainError('bad_request', `Upload-Concat: the final upload ${why}`);

/** Whether a body has any byte in it (a retry of the last request should have none). */
async function hasBytes(body: Readable): Promise<boolean> {
  for await (const chunk of body) if ((chunk as Buffer).length > 0) return true;
  return false;
}
