import { rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FlickrClient, Photo } from '@flickr-kit/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { oneLine, UsageError } from '../exit-codes.ts';
import type { HashCache } from '../files/hash-cache.ts';
import { describe, type LocalFile, walk } from '../files/walk.ts';
import type { Reporter } from '../output/reporter.ts';
import { runReported } from '../output/run-reported.ts';
import { planPull } from '../sync/plan-pull.ts';
import { planPush } from '../sync/plan-push.ts';
import { displayPath } from '../transfers/display-path.ts';
import { hashFiles, openHashCache } from '../transfers/hash-files.ts';
import { uploadBatch } from '../transfers/upload-batch.ts';
import { examples, type Wrap } from './define.ts';
import { downloadPhotos } from './download.ts';

interface PushOptions {
  albumPerFolder?: boolean;
  delete?: boolean;
  dryRun?: boolean;
  clientThumbnails: boolean;
}

interface PullOptions {
  user?: string;
  delete?: boolean;
  dryRun?: boolean;
  sidecars?: boolean;
}

export function syncCommands(program: Command, wrap: Wrap): void {
  const sync = program
    .command('sync')
    .description(
      'make the server match a folder (push) or a folder match the server (pull), by content hash',
    );

  examples(
    sync
      .command('push')
      .description(
        'upload what the server lacks; with --delete, delete photos that are in no local file',
      )
      .argument('<dir>', 'the archive folder, searched recursively')
      .option(
        '--album-per-folder',
        'each folder is an album named by its path under <dir> (e.g. 2024/summer)',
      )
      .option('--delete', 'delete your photos whose content is not in <dir> (only with this flag)')
      .option('-n, --dry-run', 'print the exact plan, change nothing')
      .option('--no-client-thumbnails', 'let the server render every thumbnail')
      .action(wrap(push)),
    [
      'flickr-cli sync push ~/Pictures --album-per-folder --dry-run',
      'flickr-cli sync push ./archive --album-per-folder --delete --json',
    ],
  );

  examples(
    sync
      .command('pull')
      .description(
        'download what the folder lacks into <dir>/<album>/; with --delete, remove local photos gone from the server',
      )
      .argument('<dir>', 'the folder to fill (created when missing)')
      .option('--user <name>', 'whose photos (default: yours)')
      .option(
        '--delete',
        'delete local image files whose content is on the server no more (only with this flag)',
      )
      .option('-n, --dry-run', 'print the exact plan, change nothing')
      .option('--sidecars', 'write <file>.json beside each new photo with its metadata')
      .action(wrap(pull)),
    [
      'flickr-cli sync pull ~/flickr-backup',
      'flickr-cli sync pull ./mirror --user bob --delete --dry-run',
    ],
  );
}

/** The local side: every image under the folder, hashed (from the cache where unchanged). */
async function localSide(context: CliContext, reporter: Reporter, dir: string, cache: HashCache) {
  reporter.phase('scanning');
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`not a folder: ${dir}`);
  const files = info ? await walk([dir], { recursive: true }) : [];
  const digests = await hashFiles(context, reporter, files, cache);
  return { files, digests };
}

async function remoteSide(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  username: string,
) {
  reporter.phase('listing');
  const photos: Photo[] = [];
  for await (const photo of client.photos.list(username, {}, { signal: context.signal }))
    photos.push(photo);
  return photos;
}

async function push(context: CliContext, dir: string, options: PushOptions) {
  const client = context.client();
  const reporter = await context.reporter(options.dryRun ? 'sync push --dry-run' : 'sync push');
  const cache = await openHashCache(context);
  return runReported(context, reporter, async () => {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`not a folder: ${dir}`);
    const { files, digests } = await localSide(context, reporter, dir, cache);
    const remote = await remoteSide(context, client, reporter, await context.me(client));
    const plan = planPush(files, digests, remote, {
      albumPerFolder: Boolean(options.albumPerFolder),
      delete: Boolean(options.delete),
    });
    if (options.dryRun) {
      for (const { file, album } of plan.upload)
        reporter.plan({
          action: 'upload',
          path: displayPath(file.path),
          bytes: file.size,
          album: album ?? null,
        });
      for (const { photo, file, album } of plan.move)
        reporter.plan({
          action: 'move',
          photoId: photo.id,
          path: displayPath(file.path),
          album: album ?? null,
        });
      for (const photo of plan.delete)
        reporter.plan({
          action: 'delete',
          photoId: photo.id,
          path: photo.originalName,
          bytes: photo.bytes,
        });
    } else {
      const albums = new Map(plan.upload.map(({ file, album }) => [file.path, album]));
      await uploadBatch(
        context,
        client,
        reporter,
        plan.upload.map((u) => u.file),
        digests,
        {
          metadataFor: (file) => {
            const album = albums.get(file.path);
            return album ? { album } : {};
          },
          clientThumbnails: options.clientThumbnails,
          wait: false,
        },
      );
      await movePhotos(context, client, reporter, plan.move);
      await deletePhotos(context, client, reporter, plan.delete);
    }
    if (plan.unchanged || plan.duplicates.length)
      reporter.message(
        `${plan.unchanged.toLocaleString('en-US')} files already on the server${plan.duplicates.length ? `, ${plan.duplicates.length} with the same content as another file` : ''}`,
      );
  });
}

async function movePhotos(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  moves: ReturnType<typeof planPush>['move'],
) {
  if (moves.length === 0 || context.signal.aborted) return;
  reporter.phase('moving', { files: moves.length });
  const me = await context.me(client);
  const ids = new Map(
    (await client.albums.list(me, { signal: context.signal })).map((a) => [a.name, a.id]),
  );
  for (const { photo, file, album } of moves) {
    if (context.signal.aborted) return;
    const path = displayPath(file.path);
    try {
      let albumId: string | null = null;
      if (album) {
        albumId =
          ids.get(album) ?? (await client.albums.create(album, { signal: context.signal })).id;
        ids.set(album, albumId);
      }
      await client.photos.update(photo.id, { albumId }, { signal: context.signal });
      reporter.item({
        path,
        photoId: photo.id,
        status: 'moved',
        reason: album ? `to album ${album}` : 'out of its album',
      });
    } catch (error) {
      reporter.item({ path, photoId: photo.id, status: 'failed', error: oneLine(error as Error) });
    }
  }
}

async function deletePhotos(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  photos: Photo[],
) {
  if (photos.length === 0 || context.signal.aborted) return;
  reporter.phase('deleting', { files: photos.length });
  for (const photo of photos) {
    if (context.signal.aborted) return;
    try {
      await client.photos.delete(photo.id, { signal: context.signal });
      reporter.item({ photoId: photo.id, path: photo.originalName, status: 'deleted' });
    } catch (error) {
      reporter.item({
        photoId: photo.id,
        path: photo.originalName,
        status: 'failed',
        error: oneLine(error as Error),
      });
    }
  }
}

async function pull(context: CliContext, dir: string, options: PullOptions) {
  const client = context.client();
  const reporter = await context.reporter(options.dryRun ? 'sync pull --dry-run' : 'sync pull');
  const cache = await openHashCache(context);
  return runReported(context, reporter, async () => {
    const { files, digests } = await localSide(context, reporter, dir, cache);
    const username = options.user ?? (await context.me(client));
    const remote = await remoteSide(context, client, reporter, username);
    const plan = planPull(dir, files, digests, remote, { delete: Boolean(options.delete) });
    const count = [...plan.download.values()].reduce((sum, photos) => sum + photos.length, 0);
    if (plan.present)
      reporter.message(`${plan.present.toLocaleString('en-US')} photos already here`);
    if (!options.dryRun && count) reporter.phase('downloading', { files: count });
    const remembering: Promise<void>[] = [];
    for (const [folder, photos] of plan.download) {
      if (context.signal.aborted) break;
      await downloadPhotos(context, client, reporter, fromArray(photos), {
        dir: folder,
        resolution: 'original',
        sidecars: Boolean(options.sidecars),
        dryRun: Boolean(options.dryRun),
        // The SDK verified the bytes against this SHA-256 (the photo's, or that of the
        // copy without GPS a caller who may not see the location gets): the cache may trust it.
        onFile: (photo, path, sha256) =>
          sha256 && remembering.push(rememberDownload(cache, photo, path, sha256)),
      });
    }
    await Promise.all(remembering);
    await cache.save();
    if (options.dryRun) {
      for (const file of plan.delete)
        reporter.plan({ action: 'delete', path: displayPath(file.path), bytes: file.size });
    } else if (plan.delete.length && !context.signal.aborted) {
      reporter.phase('deleting', { files: plan.delete.length });
      for (const file of plan.delete) {
        await rm(file.path, { force: true });
        await rm(`${file.path}.json`, { force: true });
        cache.forget(file.path);
        reporter.item({ path: displayPath(file.path), status: 'deleted', bytes: file.size });
      }
      await cache.save();
    }
  });
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

async function rememberDownload(
  cache: HashCache,
  photo: Photo,
  path: string,
  sha256: string,
): Promise<void> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info || info.size !== photo.bytes) return;
  const file: LocalFile = describe(absolute, absolute, absolute, info);
  cache.remember(file, { sha256, bytes: photo.bytes });
}
