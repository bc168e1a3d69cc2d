import { stat } from 'node:fs/promises';
import type { FlickrClient, PhotoMetadata } from '@flickr-kit/sdk';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import type { HashCache } from '../files/hash-cache.ts';
import { type LocalFile, walk } from '../files/walk.ts';
import { watchFolders } from '../files/watch.ts';
import type { Reporter } from '../output/reporter.ts';
import { runReported } from '../output/run-reported.ts';
import { displayPath } from '../transfers/display-path.ts';
import { hashFiles, openHashCache } from '../transfers/hash-files.ts';
import { planUploads } from '../transfers/plan-uploads.ts';
import { uploadBatch } from '../transfers/upload-batch.ts';
import { collect, examples, list, positiveInt, type Wrap } from './define.ts';

interface UploadOptions {
  recursive?: boolean;
  album?: string;
  title?: string;
  description?: string;
  tags?: string[];
  public?: boolean;
  private?: boolean;
  concurrency?: number;
  dryRun?: boolean;
  clientThumbnails: boolean;
  include?: string[];
  exclude?: string[];
  watch?: boolean;
  wait?: boolean;
}

export function uploadCommand(program: Command, wrap: Wrap): void {
  examples(
    program
      .command('upload')
      .description(
        'upload photos: hashes each file, sends only what the server does not have, resumes interrupted uploads',
      )
      .argument('<paths...>', 'files and folders; folders give their image files')
      .option('-r, --recursive', 'descend into sub-folders')
      .option('--album <name>', 'put the photos in this album (created when missing)')
      .option('--title <text>', 'title of every photo uploaded')
      .option('--description <text>', 'description of every photo uploaded')
      .option('--tags <list>', 'comma-separated tags', list)
      .addOption(new Option('--public', 'anyone may see the photos').conflicts('private'))
      .addOption(new Option('--private', 'only you and those you share with (the default)'))
      .option(
        '-c, --concurrency <n>',
        'at most n uploads at once (the server’s limit wins when lower)',
        positiveInt('--concurrency'),
      )
      .option(
        '-n, --dry-run',
        'hash and ask the server, print what would be uploaded, change nothing',
      )
      .option(
        '--no-client-thumbnails',
        'let the server render every thumbnail (by default this machine renders those it can before their upload starts)',
      )
      .option(
        '--include <glob>',
        'only files whose path under the folder matches (repeatable)',
        collect,
      )
      .option(
        '--exclude <glob>',
        'leave out files whose path under the folder matches (repeatable)',
        collect,
      )
      .option('-w, --watch', 'keep running: upload new or changed files once they stop growing')
      .option(
        '--wait',
        'wait until the server has processed every new photo (thumbnails made), reporting each it could not; without it, those already failed when the uploads end are reported (exit code 5)',
      )
      .action(wrap(upload)),
    [
      'flickr-cli upload -r ~/Pictures/2024 --album "Summer 2024"',
      'flickr-cli upload IMG_0001.jpg IMG_0002.jpg --tags beach,family --public',
      "flickr-cli upload -r . --include '**/*.jpg' --exclude 'drafts/**' --dry-run",
      'flickr-cli upload -r --watch ~/Camera --json',
    ],
  );
}

async function upload(context: CliContext, paths: string[], options: UploadOptions) {
  if (options.watch && options.dryRun)
    throw new UsageError('--watch and --dry-run do not go together');
  const client = context.client();
  const command = options.dryRun ? 'upload --dry-run' : 'upload';
  const reporter = await context.reporter(command);
  const cache = await openHashCache(context);
  const metadata: PhotoMetadata = {
    ...(options.album ? { album: options.album } : {}),
    ...(options.title ? { title: options.title } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.tags?.length ? { tags: options.tags } : {}),
    ...(options.public
      ? { visibility: 'public' as const }
      : options.private
        ? { visibility: 'private' as const }
        : {}),
  };
  const walkOptions = {
    recursive: Boolean(options.recursive),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
  };
  return runReported(
    context,
    reporter,
    async () => {
      // A refused token fails now, not after hashing the whole archive.
      await context.me(client);
      reporter.phase('scanning');
      const files = await walk(paths, walkOptions);
      if (files.length === 0) reporter.message('no image files found', 'warn');
      await uploadOnce(context, client, reporter, cache, files, metadata, options);
      if (!options.watch || context.signal.aborted) return;
      reporter.phase('watching');
      const watching = watchFolders(await foldersOf(paths), {
        ...walkOptions,
        signal: context.signal,
      });
      for await (const batch of watching) {
        await uploadOnce(context, client, reporter, cache, batch, metadata, options);
        if (!context.signal.aborted) reporter.phase('watching');
      }
    },
    // Ctrl-C is how a watch ends, not an interruption of work in progress.
    { stopIsNormal: Boolean(options.watch) },
  );
}

/** The folders among the paths given: what `--watch` watches. */
async function foldersOf(paths: readonly string[]): Promise<string[]> {
  const folders: string[] = [];
  for (const path of paths)
    if ((await stat(path).catch(() => undefined))?.isDirectory()) folders.push(path);
  if (folders.length === 0) throw new UsageError('--watch needs a folder to watch');
  return folders;
}

async function uploadOnce(
  context: CliContext,
  client: FlickrClient,
  reporter: Reporter,
  cache: HashCache,
  files: readonly LocalFile[],
  metadata: PhotoMetadata,
  options: UploadOptions,
): Promise<void> {
  if (files.length === 0) return;
  const digests = await hashFiles(context, reporter, files, cache);
  if (options.dryRun) {
    const plan = await planUploads(client, files, digests, context.signal);
    for (const step of plan)
      reporter.plan({
        action: step.action,
        path: displayPath(step.file.path),
        bytes: step.file.size,
        ...(step.reason ? { reason: step.reason } : {}),
        ...(step.action === 'upload' && metadata.album ? { album: metadata.album } : {}),
      });
    return;
  }
  await uploadBatch(context, client, reporter, files, digests, {
    metadataFor: () => metadata,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    clientThumbnails: options.clientThumbnails,
    wait: Boolean(options.wait),
  });
}
