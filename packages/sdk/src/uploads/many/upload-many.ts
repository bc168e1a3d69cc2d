import type { Limits } from '../../contract/uploads.ts';
import { FlickrError } from '../../errors.ts';
import type { TransferOptions, UploadContext } from '../upload-file.ts';
import { type CheckHashes, CheckStage } from './check-stage.ts';
import { hashStage, type Twin } from './hash-stage.ts';
import { SendStage } from './send-stage.ts';
import { thumbnailSource } from './thumbnail-source.ts';
import {
  digestOf,
  type UploadManyEvent,
  type UploadManyFile,
  UploadReport,
  type UploadReportEntry,
} from './upload-report.ts';

export type { CheckHashes } from './check-stage.ts';
export type { UploadManyEvent, UploadManyFile, UploadReportEntry } from './upload-report.ts';

export interface UploadManyOptions extends TransferOptions {
  /** Transfers at once; never more than the server allows per user (default: what it allows). */
  concurrency?: number;
  /** Files hashed at once (default 2: hashing is bound by the disk). */
  hashConcurrency?: number;
  /**
   * Retries per file, each resuming from the server's offset (default: the
   * client's `maxRetries`). The client's one policy decides what is retried
   * and how long to wait.
   */
  maxRetries?: number;
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

/**
 * Uploads many files as a pipeline of stages, each starting on the first
 * files while the next are still in the one before, so a large archive
 * starts sending at once:
 *
 * 1. hash (a few at a time), 2. check in batches which the server already
 * has, 3. send the rest with the concurrency the server allows, 4. confirm
 * the files that repeat another of the batch from their first's outcome.
 *
 * Each file ends uploaded, skipped or failed: a file's failure (including
 * a failed check of its batch) never stops the batch, and the report says
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
  const report = new UploadReport(files, (event) => options.onProgress?.(event), options.signal);
  let limits: Limits;
  try {
    limits = await context.limits({ signal: report.signal });
  } catch (error) {
    report.stopIfFatal(error);
    if (report.fatal) throw report.fatal;
    for (const item of report.items) report.fail(item, error);
    return report.entries();
  }

  const thumbnails = thumbnailSource(options.clientThumbnails ?? 'auto', limits);
  const send = new SendStage(context, limits, report, thumbnails, options);
  const check = new CheckStage(checkHashes, report, send, limits.maxHashesPerCheck);
  const stopWatching = send.onActive(() => check.maybeCheck());
  const twins = await hashStage(report, options.hashConcurrency ?? 2, (item) => check.add(item));
  await check.finish();
  await send.idle();
  stopWatching();
  if (report.fatal) throw report.fatal;
  confirmTwins(report, twins, send.photoOf);
  return report.entries();
}

/** Stage 4: a file that repeats another of the batch ends as its first did. */
function confirmTwins(report: UploadReport, twins: Twin[], photoOf: Map<string, string>): void {
  for (const { item, first } of twins) {
    const photoId = photoOf.get(digestOf(item).sha256);
    if (photoId) report.finish(item, { status: 'skipped', reason: 'duplicate-in-batch', photoId });
    else
      report.fail(
        item,
        report.entry(first)?.error ?? new FlickrError('its twin in the batch failed'),
      );
  }
}
