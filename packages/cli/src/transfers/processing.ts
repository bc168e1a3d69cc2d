import { type FlickrClient, type Photo, PhotoFailedError } from '@flickr-kit/sdk';
import PQueue from 'p-queue';
import type { CliContext } from '../context.ts';
import { isAbort, oneLine } from '../exit-codes.ts';
import { PROCESSING_FAILED } from '../output/events.ts';
import type { Reporter } from '../output/reporter.ts';
import { checkAll } from './check-all.ts';
import { displayPath } from './display-path.ts';

/** A photo this run created: the file it came from and what it is known by. */
export interface NewPhoto {
  path: string;
  photoId: string;
  sha256: string;
}

/** Photos read at once: for the polls of `--wait`, and for the reasons of failed ones. */
const READS_AT_ONCE = 8;

/** A photo the server could not process, reported the same way with `--wait` and without. */
function reportUnprocessed(
  reporter: Reporter,
  path: string,
  photo: Pick<Photo, 'id' | 'statusReason'>,
) {
  reporter.item({
    path: displayPath(path),
    photoId: photo.id,
    status: 'failed',
    reason: PROCESSING_FAILED,
    error: photo.statusReason ?? 'no reason given',
  });
}

/** `--wait`: the processing phase, polling each new photo until it is ready or failed, a few at a time. */
export async function waitForProcessing(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  photos: readonly NewPhoto[],
): Promise<void> {
  if (photos.length === 0) return;
  reporter.phase('processing', { files: photos.length });
  const queue = new PQueue({ concurrency: READS_AT_ONCE });
  await queue.addAll(
    photos.map(({ path, photoId }) => async () => {
      try {
        await client.photos.waitUntilReady(photoId, { signal: context.signal, timeoutMs: 600_000 });
        reporter.item({ path: displayPath(path), photoId, status: 'ready' });
      } catch (error) {
        if (isAbort(error)) return;
        if (error instanceof PhotoFailedError) reportUnprocessed(reporter, path, error.photo);
        // Still processing at the deadline, or gone: not known to be unprocessable.
        else
          reporter.item({
            path: displayPath(path),
            photoId,
            status: 'failed',
            error: oneLine(error as Error),
          });
      }
    }),
  );
}

/**
 * Without `--wait`: asks once which of the new photos have already failed,
 * and reports them. One dedup check per thousand photos answers every
 * photo's status; only the failed ones (rare) are read for their reason.
 * Not knowing is a warning, not a failure: the files themselves were sent.
 */
export async function reportFailedProcessing(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  photos: readonly NewPhoto[],
): Promise<void> {
  if (photos.length === 0 || context.signal.aborted) return;
  const byId = new Map(photos.map((photo) => [photo.photoId, photo]));
  const signal = context.signal;
  try {
    // uploadMany read the server's advertised limit for itself and this has
    // none at hand, so each check carries at most the contract's maximum.
    const hashes = photos.map((photo) => photo.sha256);
    const known = await checkAll(client, hashes, signal);
    const failed = known.flatMap(({ photoId, status }) => {
      const photo = byId.get(photoId);
      return photo && status === 'failed' ? [photo] : [];
    });
    const queue = new PQueue({ concurrency: READS_AT_ONCE });
    await queue.addAll(
      failed.map(({ path, photoId }) => async () => {
        const photo = await client.photos.get(photoId, { signal }).catch((error: unknown) => {
          if (isAbort(error)) throw error;
          return {
            id: photoId,
            statusReason: `its reason could not be read: ${oneLine(error as Error)}`,
          };
        });
        reportUnprocessed(reporter, path, photo);
      }),
    );
  } catch (error) {
    if (isAbort(error)) return;
    reporter.message(
      `could not ask the server whether it processed the new photos: ${oneLine(error as Error)}; \`flickr-cli photos ls --status failed\` lists those it could not`,
      'warn',
    );
  }
}
