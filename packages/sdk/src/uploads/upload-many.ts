import PQueue from 'p-queue';
import type { Photo } from '../contract/photos.ts';
import type { Limits } from '../contract/uploads.ts';
import { abortError } from '../core/retry.ts';
import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConnectionError,
  FlickrError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from '../errors.ts';
import { clientThumbnailFields } from './client-thumbnail.ts';
import type { FileDigest } from './file-digest.ts';
import { digestOf } from './local-file.ts';
import { ThumbnailLookahead } from './thumbnail-lookahead.ts';
import { TransferGate } from './transfer-gate.ts';
import {
  type PhotoMetadata,
  sendFile,
  type TransferOptions,
  type UploadContext,
} from './upload-file.ts';

export interface UploadManyFile {
  path: string;
  metadata?: PhotoMetadata;
  /**
   * The file's SHA-256 and size when the caller already knows them (a hash
   * cache, say): the file is then not read to hash it. A wrong digest makes
   * the server refuse the upload, so pass one only for a file that has not
   * changed since it was hashed.
   */
  digest?: FileDigest;
}

export type UploadManyEvent =
  | { type: 'hashed'; path: string; sha256: string; bytes: number }
  /** One per dedup check batch: how many of its hashes the server had. */
  | { type: 'checked'; existing: number; missing: number }
  | {
      type: 'progress';
      path: string;
      bytesSent: number;
      bytesTotal: number;
      totalSent: number;
      /** Bytes of the files found missing so far: it grows while later batches are checked. */
      totalBytes: number;
    }
  | { type: 'file'; entry: UploadReportEntry };

export interface UploadManyOptions extends TransferOptions {
  /** Transfers at once; never more than the server allows per user (default: what it allows). */
  concurrency?: number;
  /** Files hashed at once (default 2: hashing is bound by the disk). */
  hashConcurrency?: number;
  /** Attempts per file after the first, for errors worth retrying (default 2). */
  retries?: number;
  /**
   * Thumbnails rendered here with thumbnail-core and sent with the upload:
   * `'auto'` (default) renders them only while rendering keeps ahead of the
   * transfers and never makes one wait (a slow link gets them all, loopback
   * leaves them to the server); `true` renders every one, each transfer
   * waiting for its thumbnail; `false` leaves them all to the server.
   */
  clientThumbnails?: boolean | 'auto';
  onProgress?: (event: UploadManyEvent) => void;
  signal?: AbortSignal;
}

export interface UploadReportEntry {
  path: string;
  status: 'uploaded' | 'skipped' | 'failed';
  /** Why a file was skipped: the server had it, or it repeats another file of the batch. */
  reason?: 'exists' | 'duplicate-in-batch';
  sha256?: string;
  bytes?: number;
  photoId?: string;
  photo?: Photo;
  /** For uploaded files: whether the server kept the thumbnail rendered here. */
  clientThumbnail?: 'accepted' | 'rejected' | 'absent';
  error?: Error;
}

/** Checks the hashes of one batch: what the server already has. */
export type CheckHashes = (
  hashes: string[],
  signal?: AbortSignal,
) => Promise<{ existing: { sha256: string; photoId: string }[] }>;

const retryable = (error: unknown) =>
  error instanceof ConnectionError ||
  error instanceof TimeoutError ||
  error instanceof RateLimitError ||
  error instanceof InternalServerError ||
  (error instanceof ApiError && error.status === 409);

const asError = (error: unknown) =>
  error instanceof Error ? error : new FlickrError(String(error));

interface Item {
  index: number;
  file: UploadManyFile;
  digest?: FileDigest;
}

/**
 * Uploads many files as a pipeline: hashes them (a few at a time), asks the
 * server in batches which it already has, and sends the rest with the
 * concurrency the server allows, each stage starting on the first files
 * while the next are still hashed or checked, so a large archive starts
 * sending at once. A check is sent as soon as the transfers run short of
 * work, carrying every hash ready by then.
 *
 * Each file ends uploaded, skipped or failed: a file's failure (including a
 * failed check of its batch) never stops the batch, and the report says
 * what happened to every file, in input order. An abort ends the unfinished
 * files as failed with an `AbortError`. It rejects only when it could do
 * nothing at all: an `AuthenticationError` from the server before any file
 * was sent (a wrong or revoked token fails every file alike).
 */
export async function uploadMany(
  context: UploadContext,
  checkHashes: CheckHashes,
  files: readonly (string | UploadManyFile)[],
  options: UploadManyOptions = {},
): Promise<UploadReportEntry[]> {
  const inputs = files.map((file) => (typeof file === 'string' ? { path: file } : file));
  const emit = (event: UploadManyEvent) => options.onProgress?.(event);
  const report: (UploadReportEntry | undefined)[] = inputs.map(() => undefined);
  const finish = (item: Item, entry: Omit<UploadReportEntry, 'path'>) => {
    if (report[item.index]) return;
    const full = { path: item.file.path, ...item.digest, ...entry };
    report[item.index] = full;
    emit({ type: 'file', entry: full });
  };
  const fail = (item: Item, error: unknown) =>
    finish(item, {
      status: 'failed',
      error: signal.aborted && !(error instanceof AbortError) ? abortError(signal) : asError(error),
    });

  // An authentication failure before anything was sent stops everything: `stop` aborts the stages.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let fatal: Error | undefined;
  let sentAny = false;
  const fatalIfFirst = (error: unknown) => {
    if (error instanceof AuthenticationError && !sentAny && !fatal) {
      fatal = error;
      stop.abort(error);
    }
  };

  const items: Item[] = inputs.map((file, index) => ({ index, file }));
  let limits: Limits;
  try {
    limits = await context.limits({ signal });
  } catch (error) {
    fatalIfFirst(error);
    if (fatal) throw fatal;
    for (const item of items) fail(item, error);
    return report as UploadReportEntry[];
  }

  const firstOf = new Map<string, Item>();
  const twins: Item[] = [];
  const toCheck: Item[] = [];
  const photoOf = new Map<string, string>();
  const hashing = new PQueue({ concurrency: options.hashConcurrency ?? 2 });
  const concurrency = Math.max(
    1,
    Math.min(options.concurrency ?? Number.POSITIVE_INFINITY, limits.uploadsInFlightPerUser),
  );
  // One upload more than the server's transfer slots is prepared (created) while the others send.
  const gate = new TransferGate(concurrency);
  const sending = new PQueue({ concurrency: concurrency + 1 });
  const thumbnails = thumbnailSource(options.clientThumbnails ?? 'auto', limits);
  const sent = new Map<number, number>();
  let totalSent = 0;
  let totalBytes = 0;

  // 3. Send one file, retrying what is worth retrying.
  const send = async (item: Item) => {
    const digest = item.digest as FileDigest;
    if (signal.aborted) return fail(item, abortError(signal));
    sentAny = true;
    const fields = await thumbnails.fieldsFor(item);
    // Prepared while others send, but not in the moments one of them starts to.
    await gate.sending();
    let transferMs = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await sendFile(
          context,
          { path: item.file.path },
          digest,
          item.file.metadata ?? {},
          {
            clientThumbnail: false,
            thumbnailFields: fields,
            createFirst: true,
            gate,
            onPatchTime: (ms) => {
              transferMs += ms;
            },
            signal,
            ...(options.resumableThreshold === undefined
              ? {}
              : { resumableThreshold: options.resumableThreshold }),
            ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
            onProgress: (bytesSent, bytesTotal) => {
              totalSent += bytesSent - (sent.get(item.index) ?? 0);
              sent.set(item.index, bytesSent);
              emit({
                type: 'progress',
                path: item.file.path,
                bytesSent,
                bytesTotal,
                totalSent,
                totalBytes,
              });
            },
          },
        );
        thumbnails.sent(digest.bytes, transferMs);
        photoOf.set(digest.sha256, result.photo.id);
        return finish(item, {
          status: result.duplicate ? 'skipped' : 'uploaded',
          ...(result.duplicate ? { reason: 'exists' as const } : {}),
          photoId: result.photo.id,
          photo: result.photo,
          clientThumbnail: result.clientThumbnail,
        });
      } catch (error) {
        if (signal.aborted || !retryable(error) || attempt >= (options.retries ?? 2))
          return fail(item, error);
      }
    }
  };

  // 2. Check hashes in batches: whenever the transfers run short of work, or a batch is full.
  let checking: Promise<void> | undefined;
  let hashingDone = false;
  const check = async (batch: Item[]) => {
    try {
      const { existing } = await checkHashes(
        batch.map((item) => (item.digest as FileDigest).sha256),
        signal,
      );
      for (const known of existing) photoOf.set(known.sha256, known.photoId);
      emit({ type: 'checked', existing: existing.length, missing: batch.length - existing.length });
      for (const item of batch) {
        const photoId = photoOf.get((item.digest as FileDigest).sha256);
        if (photoId) finish(item, { status: 'skipped', reason: 'exists', photoId });
        else {
          totalBytes += (item.digest as FileDigest).bytes;
          thumbnails.queued(item);
          void sending.add(() => send(item));
        }
      }
    } catch (error) {
      fatalIfFirst(error);
      for (const item of batch) fail(item, error);
    }
  };
  const maybeCheck = () => {
    if (checking || toCheck.length === 0) return;
    const hungry = sending.size === 0;
    if (!hungry && !hashingDone && toCheck.length < limits.maxHashesPerCheck) return;
    const batch = toCheck.splice(0, limits.maxHashesPerCheck);
    checking = check(batch).finally(() => {
      checking = undefined;
      maybeCheck();
    });
  };
  sending.addEventListener('active', maybeCheck);

  // 1. Hash, in input order; a content seen before waits for its first file's outcome.
  for (const item of items) {
    void hashing.add(async () => {
      try {
        if (signal.aborted) throw abortError(signal);
        item.digest = item.file.digest ?? (await digestOf({ path: item.file.path }, signal));
        emit({ type: 'hashed', path: item.file.path, ...item.digest });
      } catch (error) {
        return fail(item, error);
      }
      if (firstOf.has(item.digest.sha256)) twins.push(item);
      else {
        firstOf.set(item.digest.sha256, item);
        toCheck.push(item);
        maybeCheck();
      }
    });
  }
  await hashing.onIdle();
  hashingDone = true;
  maybeCheck();
  while (checking) await checking;
  await sending.onIdle();
  sending.removeEventListener('active', maybeCheck);
  if (fatal) throw fatal;

  for (const item of twins) {
    const digest = item.digest as FileDigest;
    const first = firstOf.get(digest.sha256) as Item;
    const photoId = photoOf.get(digest.sha256);
    if (photoId) finish(item, { status: 'skipped', reason: 'duplicate-in-batch', photoId });
    else fail(item, report[first.index]?.error ?? new FlickrError('its twin in the batch failed'));
  }
  return report as UploadReportEntry[];
}

/** Where a transfer's thumbnail fields come from, per the `clientThumbnails` option. */
function thumbnailSource(mode: boolean | 'auto', limits: Limits) {
  const render = (item: Item) => clientThumbnailFields({ path: item.file.path }, limits);
  if (mode === false) return { queued: () => {}, sent: () => {}, fieldsFor: async () => ({}) };
  if (mode === true) {
    // Rendered ahead on their own queue, so CPU and network overlap; each transfer waits for its own.
    const rendering = new PQueue({ concurrency: 1 });
    const ready = new Map<number, Promise<Record<string, string>>>();
    return {
      queued: (item: Item) =>
        ready.set(item.index, rendering.add(() => render(item)) as Promise<Record<string, string>>),
      sent: () => {},
      fieldsFor: async (item: Item) => (await ready.get(item.index)) ?? {},
    };
  }
  const lookahead = new ThumbnailLookahead();
  return {
    queued: (item: Item) =>
      lookahead.queued({
        key: item.index,
        bytes: (item.digest as FileDigest).bytes,
        render: () => render(item),
      }),
    sent: (bytes: number, ms: number) => lookahead.sent(bytes, ms),
    fieldsFor: async (item: Item) => lookahead.take(item.index),
  };
}
