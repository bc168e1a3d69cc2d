import { randomUUID } from 'node:crypto';
import { type BigIntStats, createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  BlobNotFoundError,
  type BlobStore,
  type ByteRange,
  InvalidBlobKeyError,
} from '../../ports/blob-store.ts';
import { blobKeySegments, checkByteRange } from './blob-key.ts';

/** Where writes land before they are renamed into place; never a valid key (it starts with a dot). */
export const INCOMING = '.incoming';

const isMissing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * The validator of a file's bytes. Blobs are replaced by rename, never
 * rewritten in place, so a new version is a new inode, made while the old
 * one still exists: the inode number alone tells a version from the one
 * before it, which the size and the modification time (ticks of a few
 * milliseconds) do not for a same-size rewrite right after. The three
 * together also tell it from older versions whose inode number was reused.
 */
const etagOf = (info: BigIntStats) =>
  `${info.ino.toString(16)}-${info.size.toString(16)}-${info.mtimeNs.toString(16)}`;

/**
 * A hard link to a blob's file, or a copy where links cannot go (another
 * disk, a file system without them); a blob gone meanwhile is not found.
 */
async function linkOrCopy(key: string, source: string, path: string): Promise<void> {
  try {
    await link(source, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EXDEV' || error.code === 'EPERM') return copyFile(source, path);
      throw error;
    });
  } catch (error) {
    if (isMissing(error)) throw new BlobNotFoundError(key, { cause: error });
    throw error;
  }
}

const infoOf = (info: BigIntStats): BlobInfo => ({ bytes: Number(info.size), etag: etagOf(info) });

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

  /**
   * Removes temporary files older than `olderThanMs`, left by writers (and
   * holders of {@link localFile}) that died. Age is from the inode's change
   * time: a write to a file and a new link to one both set it, where a
   * link's modification time is its blob's, however old.
   */
  async sweepIncoming(olderThanMs: number): Promise<number> {
    const dir = join(this.root, INCOMING);
    let removed = 0;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.ctimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  path(key: string): string {
    const path = join(this.root, ...blobKeySegments(key));
    if (!path.startsWith(this.root + sep)) throw new InvalidBlobKeyError(key);
    return path;
  }

  async #atomically(key: string, write: (temporary: string) => Promise<void>): Promise<BlobInfo> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = await this.#temporary();
    try {
      await write(temporary);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return infoOf(await stat(target, { bigint: true }));
  }

  /** A temporary name in `.incoming/`, on the blobs' disk. */
  async #temporary(): Promise<string> {
    await mkdir(join(this.root, INCOMING), { recursive: true });
    return join(this.root, INCOMING, randomUUID());
  }

  putFile(key: string, path: string): Promise<BlobInfo> {
    return this.#atomically(key, (temporary) => copyFile(path, temporary));
  }

  put(key: string, data: Uint8Array): Promise<BlobInfo> {
    return this.#atomically(key, (temporary) => writeFile(temporary, data));
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const info = await stat(this.path(key), { bigint: true });
      return info.isFile() ? infoOf(info) : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** The blob's path, once it is known to hold a blob: a folder of blobs is none. */
  async #existing(key: string): Promise<{ path: string; bytes: number }> {
    const path = this.path(key);
    const info = await stat(path).catch((error: unknown) => {
      if (isMissing(error)) throw new BlobNotFoundError(key, { cause: error });
      throw error;
    });
    if (!info.isFile()) throw new BlobNotFoundError(key);
    return { path, bytes: info.size };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    if (range) checkByteRange(range);
    const { path, bytes } = await this.#existing(key);
    if (range && range.start >= bytes)
      throw new RangeError(
        `The range ${range.start}-${range.end} starts past the blob's ${bytes} bytes`,
      );
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  /**
   * A hard link to the blob in `.incoming/`: no byte is copied, and a later
   * replacement of the blob (a rename over its path) leaves the linked
   * bytes as they were while a decoder still reads them.
   */
  async localFile(key: string): Promise<{ path: string; release(): Promise<void> }> {
    const { path: source } = await this.#existing(key);
    const path = await this.#temporary();
    await linkOrCopy(key, source, path);
    return { path, release: () => rm(path, { force: true }) };
  }

  async copyTo(key: string, target: BlobStore): Promise<BlobInfo> {
    const { path: source } = await this.#existing(key);
    if (target instanceof LocalBlobStore) {
      // Same disk: a hard link publishes without copying a byte; blobs are
      // never modified in place (writes replace by rename), so sharing is safe.
      return target.#atomically(key, (temporary) => linkOrCopy(key, source, temporary));
    }
    return target.putFile(key, source);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
