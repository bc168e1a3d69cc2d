import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { UsageError } from '../exit-codes.ts';

/** Extensions the server can take; other files in a folder are left alone. */
export const IMAGE_EXTENSIONS = [
  'jpg',
  'jpeg',
  'png',
  'webp',
  'gif',
  'avif',
  'tif',
  'tiff',
  'heic',
  'heif',
] as const;
const IMAGE = new RegExp(`\\.(${IMAGE_EXTENSIONS.join('|')})$`, 'i');

export const isImageName = (name: string) => IMAGE.test(name);

/** A file found on disk, with what the hash cache keys on. */
export interface LocalFile {
  /** Absolute path. */
  path: string;
  /** The folder given on the command line that it was found under (its own path for a file given directly). */
  root: string;
  /** Path relative to `root`, with `/` separators: what globs and album names see. */
  relativePath: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface WalkOptions {
  /** Descend into sub-folders of the folders given. */
  recursive: boolean;
  /** Globs a file's relative path must match (any of them); default all images. */
  include?: readonly string[];
  /** Globs that leave a file out, even if included. */
  exclude?: readonly string[];
}

/** Whether a file found in a folder is taken, by its path relative to that folder. */
export function fileFilter(options: Pick<WalkOptions, 'include' | 'exclude'>) {
  const included = options.include?.length ? picomatch([...options.include], { dot: true }) : null;
  const excluded = options.exclude?.length ? picomatch([...options.exclude], { dot: true }) : null;
  return (relativePath: string): boolean =>
    !relativePath.split('/').some((part) => part.startsWith('.')) &&
    (included ? included(relativePath) : isImageName(relativePath)) &&
    !excluded?.(relativePath);
}

/**
 * The image files under the paths given, sorted by path. A file named on the
 * command line is always taken (the server decides whether it is an image);
 * in folders, only image extensions, and no hidden files or folders. Symbolic
 * links to files are followed, links to folders are not (no cycles).
 */
export async function walk(paths: readonly string[], options: WalkOptions): Promise<LocalFile[]> {
  const keep = fileFilter(options);
  const found = new Map<string, LocalFile>();

  for (const given of paths) {
    const root = resolve(given);
    const info = await stat(root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new UsageError(`no such file or folder: ${given}`);
      if (error.code === 'EACCES') throw new UsageError(`permission denied: ${given}`);
      throw error;
    });
    if (info.isFile()) {
      const name = root.split(sep).at(-1) as string;
      found.set(root, describe(root, root, name, info));
      continue;
    }
    if (!info.isDirectory()) throw new UsageError(`not a file or folder: ${given}`);
    for await (const [path, relativePath] of filesUnder(root, options.recursive)) {
      if (!keep(relativePath)) continue;
      const fileInfo = await stat(path).catch(() => undefined);
      if (fileInfo?.isFile()) found.set(path, describe(path, root, relativePath, fileInfo));
    }
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function describe(
  path: string,
  root: string,
  relativePath: string,
  info: { size: number; mtimeMs: number; ino: number },
): LocalFile {
  return { path, root, relativePath, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

async function* filesUnder(root: string, recursive: boolean): AsyncGenerator<[string, string]> {
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        // A folder that vanished or that we may not read is skipped, not fatal.
        if (dir !== root && (error.code === 'ENOENT' || error.code === 'EACCES')) return [];
        throw error;
      },
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive) pending.push(path);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        yield [path, relative(root, path).split(sep).join('/')];
      }
    }
  }
}

/** The album `--album-per-folder` gives a file: its folder's path under the root; none at the root. */
export function folderAlbum(file: LocalFile): string | undefined {
  const slash = file.relativePath.lastIndexOf('/');
  return slash > 0 ? file.relativePath.slice(0, slash) : undefined;
}
