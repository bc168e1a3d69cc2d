import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { describe, fileFilter, type LocalFile, type WalkOptions } from './walk.ts';

export interface WatchOptions extends WalkOptions {
  /** A file is taken once its size and mtime have not changed for this long (default 2 s). */
  settleMs?: number;
  /** How often pending files are looked at again (default 500 ms). */
  pollMs?: number;
  signal: AbortSignal;
}

/**
 * Yields batches of files that appeared or changed under the folders and
 * have stopped growing (a camera import or a copy in progress is not taken
 * half-written). Ends when the signal aborts.
 */
export async function* watchFolders(
  folders: readonly string[],
  options: WatchOptions,
): AsyncGenerator<LocalFile[]> {
  const keep = fileFilter(options);
  const settleMs = options.settleMs ?? 2000;
  const pending = new Map<
    string,
    { root: string; size: number; mtimeMs: number; quietSince: number }
  >();
  let wake: (() => void) | undefined;

  const watchers = folders.map((folder) => {
    const root = resolve(folder);
    return watch(root, { recursive: options.recursive, signal: options.signal }, (_event, name) => {
      if (!name) return;
      const relativePath = name.toString().split(sep).join('/');
      if (!keep(relativePath)) return;
      const path = join(root, name.toString());
      if (!pending.has(path)) pending.set(path, { root, size: -1, mtimeMs: -1, quietSince: 0 });
      // A first event ends the idle sleep; later ones wait for the next poll.
      if (pending.size === 1) wake?.();
    }).on('error', () => {});
  });

  try {
    while (!options.signal.aborted) {
      await new Promise<void>((done) => {
        const finish = () => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', finish);
          wake = undefined;
          done();
        };
        const timer = setTimeout(finish, options.pollMs ?? 500);
        // With nothing pending, sleep until the next event rather than polling.
        if (pending.size === 0) clearTimeout(timer);
        wake = finish;
        options.signal.addEventListener('abort', finish);
      });
      const now = Date.now();
      const ready: LocalFile[] = [];
      for (const [path, seen] of pending) {
        const info = await stat(path).catch(() => undefined);
        if (!info?.isFile()) {
          pending.delete(path);
          continue;
        }
        if (info.size !== seen.size || info.mtimeMs !== seen.mtimeMs) {
          pending.set(path, {
            root: seen.root,
            size: info.size,
            mtimeMs: info.mtimeMs,
            quietSince: now,
          });
          continue;
        }
        if (now - seen.quietSince < settleMs) continue;
        pending.delete(path);
        ready.push(describe(path, seen.root, relative(seen.root, path).split(sep).join('/'), info));
      }
      if (ready.length) yield ready;
    }
  } finally {
    for (const watcher of watchers) watcher.close();
  }
}
