import { join } from 'node:path';
import type { FileDigest } from '@flickr-kit/sdk';
import { cacheDir } from '../config/paths.ts';
import type { CliContext } from '../context.ts';
import { HashCache } from '../files/hash-cache.ts';
import { hashAll } from '../files/hashing.ts';
import type { LocalFile } from '../files/walk.ts';
import { plural } from '../output/format.ts';
import type { Reporter } from '../output/reporter.ts';
import { displayPath } from './display-path.ts';

/** The hash cache every command shares, in the CLI's cache folder. */
export function openHashCache(context: CliContext): Promise<HashCache> {
  return HashCache.open(join(cacheDir(context.io.env), 'hashes.json'));
}

/**
 * The hashing phase: digests of every file, from the cache where it is
 * still valid; a file that cannot be read becomes a failed item.
 */
export async function hashFiles(
  context: CliContext,
  reporter: Reporter,
  files: readonly LocalFile[],
  cache: HashCache,
): Promise<Map<string, FileDigest>> {
  const uncached = files.filter((file) => !cache.lookup(file));
  const unchanged = files.length - uncached.length;
  if (unchanged)
    reporter.message(
      `${unchanged.toLocaleString('en-US')} of ${plural(files.length, 'file')} unchanged since they were last hashed`,
    );
  if (uncached.length)
    reporter.phase('hashing', {
      files: uncached.length,
      bytes: uncached.reduce((sum, file) => sum + file.size, 0),
    });
  return hashAll(files, {
    cache,
    signal: context.signal,
    started: (file) => reporter.start(file.path, displayPath(file.path), file.size),
    progress: (file, bytes) => reporter.advance(file.path, bytes),
    hashed: (file, digest, cached) => {
      if (!cached) reporter.complete(file.path, digest.bytes);
    },
    failed: (file, error) =>
      reporter.item(
        { path: displayPath(file.path), status: 'failed', error: error.message },
        0,
        file.path,
      ),
  });
}
