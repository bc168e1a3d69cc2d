import PQueue from 'p-queue';
import type { Photo } from '../contract/photos.ts';
import {
  AbortError,
  ApiError,
  ConnectionError,
  FlickrError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from '../errors.ts';
import type { FileDigest } from './file-digest.ts';
import {
  clientThumbnailFields,
  digestOf,
  type PhotoMetadata,
  sendFile,
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
  | { type: 'checked'; existing: number; missing: number }
  | {
      type: 'progress';
      path: string;
      bytesSent: number;
      bytesTotal: number;
      totalSent: number;
      totalBytes: number;
    }
  | { type: 'file'; entry: UploadReportEntry };

export interface UploadManyOptions {
  /** Transfers at once; never more than the server allows per user (default: what it allows). */
  concurrency?: number;
  /** Files hashed at once (default 2: hashing is bound by the disk). */
  hashConcurrency?: number;
  /** Attempts per file after the first, for errors worth retrying (default 2). */
  retries?: number;
  clientThumbnails?: boolean;
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
  error?: Error;
}

const retryable = (error: unknown) =>
  error instanceof ConnectionError ||
  error instanceof TimeoutError ||
  error instanceof RateLimitError ||
  error instanceof InternalServerError ||
  (error instanceof ApiError && error.status === 409);

/**
 * Uploads many files: hashes them, asks the server which it already has in
 * batches, and sends only the rest, with the concurrency the server allows.
 * Each file ends uploaded, skipped or failed: one failure never stops the
 * batch, and the report says what happened to every file.
 */
export async function uploadMany(
  context: UploadContext,
  checkHashes: (hashes: string[]) => Promise<{ existing: { sha256: string; photoId: string }[] }>,
  files: readonly (string | UploadManyFile)[],
  options: UploadManyOptions = {},
): Promise<UploadReportEntry[]> {
  const inputs = files.map((file) => (typeof file === 'string' ? { path: file } : file));
  const limits = await context.limits();
  const emit = (event: UploadManyEvent) => options.onProgress?.(event);
  const report = new Map<string, UploadReportEntry>();
  const finish = (entry: UploadReportEntry) => {
    report.set(entry.path, entry);
    emit({ type: 'file', entry });
  };

  // 1. Hash.
  const digests = new Map<string, FileDigest>();
  const hashing = new PQueue({ concurrency: options.hashConcurrency ?? 2 });
  await hashing.addAll(
    inputs.map((file) => async () => {
      options.signal?.throwIfAborted();
      try {
        const digest = file.digest ?? (await digestOf({ path: file.path }));
        digests.set(file.path, digest);
        emit({ type: 'hashed', path: file.path, ...digest });
      } catch (error) {
        finish({ path: file.path, status: 'failed', error: error as Error });
      }
    }),
  );

  // 2. One upload per content: later paths with the same bytes ride on the first.
  const firstOf = new Map<string, UploadManyFile>();
  const repeats: UploadManyFile[] = [];
  for (const file of inputs) {
    const digest = digests.get(file.path);
    if (!digest) continue;
    if (firstOf.has(digest.sha256)) repeats.push(file);
    else firstOf.set(digest.sha256, file);
  }

  // 3. Ask the server what it has, in batches.
  const known = new Map<string, string>();
  const hashes = [...firstOf.keys()];
  for (let i = 0; i < hashes.length; i += limits.maxHashesPerCheck) {
    const { existing } = await checkHashes(hashes.slice(i, i + limits.maxHashesPerCheck));
    for (const item of existing) known.set(item.sha256, item.photoId);
  }
  emit({ type: 'checked', existing: known.size, missing: hashes.length - known.size });

  // 4. Send what is missing.
  const missing = [...firstOf.values()].filter(
    (file) => !known.has((digests.get(file.path) as FileDigest).sha256),
  );
  const totalBytes = missing.reduce(
    (sum, file) => sum + (digests.get(file.path) as FileDigest).bytes,
    0,
  );
  const sent = new Map<string, number>();
  const concurrency = Math.max(
    1,
    Math.min(options.concurrency ?? Number.POSITIVE_INFINITY, limits.uploadsInFlightPerUser),
  );
  const queue = new PQueue({ concurrency });
  // Thumbnails render ahead of the transfers, on their own queue, so CPU and network overlap.
  const rendering = new PQueue({ concurrency: 1 });
  const thumbnails = new Map<string, Promise<Record<string, string>>>();
  if (options.clientThumbnails !== false) {
    for (const file of missing)
      thumbnails.set(
        file.path,
        rendering.add(() => clientThumbnailFields({ path: file.path }, limits)) as Promise<
          Record<string, string>
        >,
      );
  }
  for (const [sha256, file] of firstOf) {
    const digest = digests.get(file.path) as FileDigest;
    if (known.has(sha256))
      finish({
        path: file.path,
        status: 'skipped',
        reason: 'exists',
        ...digest,
        photoId: known.get(sha256) as string,
      });
  }
  await queue.addAll(
    missing.map((file) => async () => {
      const digest = digests.get(file.path) as FileDigest;
      for (let attempt = 0; ; attempt++) {
        try {
          options.signal?.throwIfAborted();
          const result = await sendFile(context, { path: file.path }, digest, file.metadata ?? {}, {
            clientThumbnail: options.clientThumbnails ?? true,
            thumbnailFields: (await thumbnails.get(file.path)) ?? {},
            ...(options.signal ? { signal: options.signal } : {}),
            onProgress: (bytesSent, bytesTotal) => {
              sent.set(file.path, bytesSent);
              const totalSent = [...sent.values()].reduce((sum, value) => sum + value, 0);
              emit({
                type: 'progress',
                path: file.path,
                bytesSent,
                bytesTotal,
                totalSent,
                totalBytes,
              });
            },
          });
          known.set(digest.sha256, result.photo.id);
          finish({
            path: file.path,
            status: result.duplicate ? 'skipped' : 'uploaded',
            ...(result.duplicate ? { reason: 'exists' as const } : {}),
            ...digest,
            photoId: result.photo.id,
            photo: result.photo,
          });
          return;
        } catch (error) {
          if (options.signal?.aborted) {
            finish({
              path: file.path,
              status: 'failed',
              ...digest,
              error: new AbortError('aborted', { cause: error }),
            });
            return;
          }
          if (!retryable(error) || attempt >= (options.retries ?? 2)) {
            finish({
              path: file.path,
              status: 'failed',
              ...digest,
              error: error instanceof Error ? error : new FlickrError(String(error)),
            });
            return;
          }
        }
      }
    }),
  );

  for (const file of repeats) {
    const digest = digests.get(file.path) as FileDigest;
    const photoId = known.get(digest.sha256);
    if (photoId)
      finish({
        path: file.path,
        status: 'skipped',
        reason: 'duplicate-in-batch',
        ...digest,
        photoId,
      });
    else
      finish({
        path: file.path,
        status: 'failed',
        ...digest,
        error:
          report.get((firstOf.get(digest.sha256) as UploadManyFile).path)?.error ??
          new FlickrError('its twin in the batch failed'),
      });
  }
  return inputs.map((file) => report.get(file.path) as UploadReportEntry);
}
