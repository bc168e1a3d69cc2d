import { StagingFailure, type UploadStaging } from '../ports/upload-staging.ts';
import { DomainError } from './errors.ts';
import { HashingFailure } from './off-thread-hash.ts';
import type { AppendWatch } from './received-digests.ts';
import { ChecksumVerifier } from './upload-checksum.ts';
import type { UploadLock } from './upload-locks.ts';
import type { AppendInput } from './upload-status.ts';

/** A request whose body moved no byte for this long gives way to a newer one for its upload. */
const IDLE_MS = 1_000;

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

export interface BodyTarget {
  uploadId: string;
  /** Where the body starts: the bytes the upload holds. */
  offset: number;
  /** Declared length, or undefined while deferred. */
  length: number | undefined;
  /** Bytes an upload of unknown length may reach. */
  maxBytes: number;
}

/**
 * Streams a request body into staging, checking its length, checksum and
 * preemption as it goes; resolves to the upload's new offset. A body whose
 * checksum fails, or that runs past the upload's length, is taken back
 * whole; one that breaks off keeps what arrived, unless a checksum was to
 * vouch for it. A newer request for the upload takes over from this one
 * only once its body has gone idle.
 */
export async function receiveBody(
  staging: UploadStaging,
  target: BodyTarget,
  input: AppendInput,
  watch: AppendWatch,
  lock: UploadLock,
): Promise<number> {
  const { uploadId, offset, length } = target;
  const room = (length ?? target.maxBytes) - offset;
  if ((input.bodyBytes ?? 0) > room) throw tooLong(length, offset, room);
  const { checksum } = input;
  // A sha256 checksum of a body that starts the upload is the running SHA-256 at its end.
  const reusesRunningHash = checksum?.algorithm === 'sha256' && watch.hashesFromStart;
  const verifier = checksum && !reusesRunningHash ? new ChecksumVerifier(checksum) : undefined;
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
  let received = 0;
  try {
    const end = await staging.append(uploadId, offset, input.body, {
      signal: stop.signal,
      onChunk: (chunk) => {
        lastByteAt = Date.now();
        received += chunk.length;
        if (received > room) stop.abort(new StopBody(tooLong(length, offset, room), true));
        watch.onChunk(chunk);
        verifier?.update(chunk);
      },
    });
    const matches = reusesRunningHash
      ? (await watch.sha256FromStart())?.equals(checksum.digest) === true
      : ((await verifier?.matches()) ?? true);
    if (!matches) {
      const problem = new DomainError(
        'checksum_mismatch',
        `The body's ${checksum?.algorithm} checksum does not match Upload-Checksum: none of its bytes were kept`,
      );
      throw new StopBody(problem, true);
    }
    watch.stored(end);
    return end;
  } catch (error) {
    watch.lost();
    verifier?.discard();
    // A checksum vouches for the whole body or for none of it.
    if ((error instanceof StopBody && error.takeBack) || checksum)
      await staging.truncate(uploadId, offset);
    if (error instanceof StopBody) throw error.problem;
    if (isStorageFailure(error) || error instanceof HashingFailure) throw error;
    const kept = (await staging.size(uploadId)) ?? offset;
    throw new DomainError(
      'bad_request',
      `The request body broke off after ${received} bytes; the upload holds ${kept}: resume from there`,
      { cause: error },
    );
  } finally {
    lock.onPreempt(undefined);
  }
}

export function tooLong(length: number | undefined, offset: number, room = 0): DomainError {
  return new DomainError(
    'payload_too_large',
    length === undefined
      ? `The body runs past the ${offset + room} bytes an upload may have`
      : `The body runs past the upload's length: ${room} bytes of ${length} are left after offset ${offset}`,
  );
}

/** The disk (or store) failed, not the request: a server error, not the client's. */
function isStorageFailure(error: unknown): boolean {
  if (error instanceof StagingFailure) return true;
  const syscall = (error as { syscall?: unknown }).syscall;
  return typeof syscall === 'string' && syscall !== 'read';
}
