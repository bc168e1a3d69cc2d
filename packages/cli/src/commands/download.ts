import type { FlickrClient, Photo } from '@flickr-kit/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { isAbort, UsageError } from '../exit-codes.ts';
import type { Reporter } from '../output/reporter.ts';
import { runReported } from '../output/run-reported.ts';
import { displayPath } from '../transfers/display-path.ts';
import { photoSource } from '../transfers/photo-source.ts';
import { examples, positiveInt, type Wrap } from './define.ts';

interface DownloadOptions {
  out: string;
  user?: string;
  album?: string;
  resolution: string;
  concurrency?: number;
  dryRun?: boolean;
  sidecars?: boolean;
}

export function downloadCommand(program: Command, wrap: Wrap): void {
  examples(
    program
      .command('download')
      .description(
        'download photos into a folder: skips files already there, never overwrites a different file, resumes partial ones',
      )
      .requiredOption('-o, --out <dir>', 'the folder to download into (created when missing)')
      .option('--user <name>', 'whose photos (default: yours); you see what they share with you')
      .option('--album <name>', 'only this album (by name or id)')
      .option('--resolution <name>', '`original`, or a rendition such as `thumbnail`', 'original')
      .option(
        '-c, --concurrency <n>',
        'at most n downloads at once (originals: the server’s limit wins when lower)',
        positiveInt('--concurrency'),
      )
      .option('-n, --dry-run', 'print what would be downloaded, change nothing')
      .option(
        '--sidecars',
        'write <file>.json beside each photo: title, description, tags, album, dates, visibility',
      )
      .action(wrap(download)),
    [
      'flickr-cli download --out ~/Pictures/flickr',
      'flickr-cli download --out thumbs --resolution thumbnail --album "Summer 2024"',
      'flickr-cli download --out backup --user bob --sidecars --json',
    ],
  );
}

/** Checks a resolution against what the server renders, before any work starts. */
export async function checkResolution(
  context: CliContext,
  client: FlickrClient,
  resolution: string,
) {
  if (resolution === 'original') return;
  const { renditions } = await client.limits.get({ signal: context.signal });
  if (!renditions.some((spec) => spec.name === resolution))
    throw new UsageError(
      `no such resolution: ${resolution} (the server has original, ${renditions.map((s) => s.name).join(', ')})`,
    );
}

async function download(context: CliContext, options: DownloadOptions) {
  const client = context.client();
  await checkResolution(context, client, options.resolution);
  const reporter = await context.reporter(options.dryRun ? 'download --dry-run' : 'download');
  return runReported(context, reporter, async () => {
    reporter.phase('listing');
    const { photos } = await photoSource(context, client, options);
    reporter.phase('downloading');
    await downloadPhotos(context, client, reporter, photos, {
      dir: options.out,
      resolution: options.resolution,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      sidecars: Boolean(options.sidecars),
      dryRun: Boolean(options.dryRun),
    });
  });
}

export interface DownloadPhotosOptions {
  dir: string;
  resolution: string;
  concurrency?: number;
  sidecars: boolean;
  dryRun: boolean;
  /**
   * Called with each photo downloaded (or already there), the path it is at,
   * and the SHA-256 the SDK verified it against (originals).
   */
  onFile?: (photo: Photo, path: string, sha256: string | undefined) => void;
}

/** Runs the SDK's downloadMany into one folder, turning its events into the reporter's items. */
export async function downloadPhotos(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  photos: AsyncIterable<Photo>,
  options: DownloadPhotosOptions,
): Promise<void> {
  const seen = new Map<string, Photo>();
  async function* remembered() {
    for await (const photo of photos) {
      seen.set(photo.id, photo);
      yield photo;
    }
  }
  await client.photos.downloadMany(remembered(), {
    dir: options.dir,
    resolution: options.resolution,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    sidecars: options.sidecars,
    dryRun: options.dryRun,
    signal: context.signal,
    onProgress: (event) => {
      if (event.type === 'progress') {
        if (!reporter.model.active.has(event.photoId))
          reporter.start(
            event.photoId,
            seen.get(event.photoId)?.originalName ?? event.photoId,
            event.total,
          );
        reporter.advance(event.photoId, event.bytes, event.total);
        return;
      }
      const { entry } = event;
      const path = entry.path ? displayPath(entry.path) : undefined;
      const photo = seen.get(entry.photoId);
      if (entry.status === 'failed') {
        if (isAbort(entry.error)) return;
        reporter.item(
          {
            photoId: entry.photoId,
            ...(path ? { path } : {}),
            status: 'failed',
            error: entry.error?.message ?? 'failed',
          },
          0,
          entry.photoId,
        );
      } else if (entry.status === 'planned') {
        reporter.plan({
          action: 'download',
          photoId: entry.photoId,
          ...(path ? { path } : {}),
          ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
        });
      } else {
        if (photo && entry.path) options.onFile?.(photo, entry.path, entry.sha256);
        reporter.item(
          {
            photoId: entry.photoId,
            ...(path ? { path } : {}),
            status: entry.status,
            ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
            ...(entry.status === 'skipped' ? { reason: 'present' } : {}),
          },
          entry.transferred ?? 0,
          entry.photoId,
        );
      }
    },
  });
}
