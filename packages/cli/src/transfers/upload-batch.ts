import type { FileDigest, FlickrClient, PhotoMetadata, UploadReportEntry } from '@flickr-kit/sdk';
import type { CliContext } from '../context.ts';
import { isAbort, oneLine } from '../exit-codes.ts';
import type { LocalFile } from '../files/walk.ts';
import type { Reporter } from '../output/reporter.ts';
import { displayPath } from './display-path.ts';
import { type NewPhoto, reportFailedProcessing, waitForProcessing } from './processing.ts';

export interface UploadBatchOptions {
  metadataFor: (file: LocalFile) => PhotoMetadata;
  /** At most this many transfers at once; the server's limit wins when lower. */
  concurrency?: number;
  /** Render thumbnails here while that keeps ahead of the transfers (the SDK's `'auto'`), or never. */
  clientThumbnails: boolean;
  /**
   * Wait until every uploaded photo is processed (thumbnails made),
   * reporting each; otherwise ask once, at the end, which have already
   * failed, and report those.
   */
  wait: boolean;
}

export interface UploadBatchResult {
  /** Photo id per local path, for every file that is on the server now. */
  photoIds: Map<string, string>;
}

/**
 * Sends hashed files with the SDK's uploadMany: it asks the server which it
 * has, uploads only the rest (resuming interrupted ones) and reports each
 * file; this turns its events into the reporter's phases and items.
 */
export async function uploadBatch(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  files: readonly LocalFile[],
  digests: ReadonlyMap<string, FileDigest>,
  options: UploadBatchOptions,
): Promise<UploadBatchResult> {
  const hashed = files.filter((file) => digests.has(file.path));
  const photoIds = new Map<string, string>();
  if (hashed.length === 0) return { photoIds };
  reporter.phase('checking', { files: hashed.length });
  const byPath = new Map(hashed.map((file) => [file.path, file]));

  const report = await client.uploads.uploadMany(
    hashed.map((file) => ({
      path: file.path,
      digest: digests.get(file.path) as FileDigest,
      metadata: options.metadataFor(file),
    })),
    {
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      // 'auto', not true: a thumbnail is sent when it is ready in time, and never holds up a transfer.
      clientThumbnails: options.clientThumbnails ? 'auto' : false,
      signal: context.signal,
      onProgress: (event) => {
        if (event.type === 'checked') {
          // uploadMany checks in batches; the phase begins with the first that finds files missing.
          if (event.missing > 0 && reporter.model.phase !== 'uploading')
            reporter.phase('uploading', { files: hashed.length });
        } else if (event.type === 'progress') {
          if (!reporter.model.active.has(event.path))
            reporter.start(event.path, displayPath(event.path), event.bytesTotal);
          reporter.advance(event.path, event.bytesSent, event.bytesTotal);
          reporter.totals({ bytes: event.totalBytes });
        } else if (event.type === 'file') {
          itemOf(reporter, event.entry, byPath.get(event.entry.path));
        }
      },
    },
  );
  for (const entry of report) if (entry.photoId) photoIds.set(entry.path, entry.photoId);

  if (!context.signal.aborted) {
    const created = newPhotos(report, digests);
    if (options.wait) await waitForProcessing(context, client, reporter, created);
    else await reportFailedProcessing(context, client, reporter, created);
  }
  return { photoIds };
}

/** The photos this batch created: its uploaded files, with their photo ids and hashes. */
function newPhotos(
  report: readonly UploadReportEntry[],
  digests: ReadonlyMap<string, FileDigest>,
): NewPhoto[] {
  return report.flatMap((entry) => {
    const sha256 = digests.get(entry.path)?.sha256 ?? entry.sha256;
    return entry.status === 'uploaded' && entry.photoId && sha256
      ? [{ path: entry.path, photoId: entry.photoId, sha256 }]
      : [];
  });
}

function itemOf(reporter: Reporter, entry: UploadReportEntry, file: LocalFile | undefined): void {
  // An upload stopped by Ctrl-C is not a failure: it resumes on the next run.
  if (entry.status === 'failed' && isAbort(entry.error)) return;
  const path = displayPath(entry.path);
  if (entry.status === 'failed') {
    reporter.item(
      { path, status: 'failed', error: entry.error ? oneLine(entry.error) : 'failed' },
      0,
      entry.path,
    );
    return;
  }
  reporter.item(
    {
      path,
      status: entry.status,
      ...(entry.photoId ? { photoId: entry.photoId } : {}),
      ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
      ...(entry.reason ? { reason: entry.reason } : {}),
    },
    entry.status === 'uploaded' ? (entry.bytes ?? file?.size ?? 0) : 0,
    entry.path,
  );
}
