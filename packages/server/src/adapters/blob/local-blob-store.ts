import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  InvalidBlobKeyError,
} from '../../ports/blob-store.ts';

/** A key is relative, made of safe segments: nothing can climb out of the root. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Where writes land before they are renamed into place; never a valid key (it starts with a dot). */
export const INCOMING = '.incoming';

/**
 * Blobs as files under one folder. Writes go to a temporary file in
 * `.incoming/` and are renamed into place, so readers never see half a file
 * and a crash leaves at worst a stray file there, outside the layout, for
 * {@link LocalBlobStore.sweepIncoming} to remove.
 */
export class LocalBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Removes temporary files older than `olderThanMs`, left by writers that died. */
  async sweepIncoming(olderThanMs: number): Promise<number> {
    const dir = join(this.root, INCOMING);
    let removed = 0;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  path(key: string): string {
    const segments = key.split('/');
    if (segments.length === 0 || !segments.every((segment) => SEGMENT.test(segment))) {
      throw new InvalidBlobKeyError(key);
    }
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root + sep)) throw new InvalidBlobKeyError(key);
    return path;
  }

  async #atomically(key: string, write: (temporary: string) => Promise<void>): Promise<BlobInfo> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    await mkdir(join(this.root, INCOMING), { recursive: true });
    const temporary = join(this.root, INCOMING, randomUUID());
    try {
      await write(temporary);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { bytes: (await stat(target)).size };
  }

  putFile(key: string, path: string): Promise<BlobInfo> {
    return this.#atomically(key, (temporary) => copyFile(path, temporary));
  }

  put(key: string, data: Uint8Array): Promise<BlobInfo> {
    return this.#atomically(key, (temporary) => writeFile(temporary, data));
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.path(key));
      // Blobs are replaced by rename, never rewritten in place: size and mtime change together with content.
      return info.isFile()
        ? {
            bytes: info.size,
            etag: `${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}`,
          }
        : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    await stat(path);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async localFile(key: string): Promise<{ path: string; release(): Promise<void> }> {
    const path = this.path(key);
    await stat(path);
    return { path, release: async () => {} };
  }

  async copyTo(key: string, target: BlobStore): Promise<BlobInfo> {
    const source = this.path(key);
    if (target instanceof LocalBlobStore) {
      // Same disk: a hard link publishes without copying a byte; blobs are
      // never modified in place (writes replace by rename), so sharing is safe.
      return target.#atomically(key, (temporary) =>
        link(source, temporary).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'EXDEV' || error.code === 'EPERM') return copyFile(source, temporary);
          throw error;
        }),
      );
    }
    return target.putFile(key, source);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
