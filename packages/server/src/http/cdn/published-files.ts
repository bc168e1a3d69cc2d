import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { BlobInfo, BlobStore } from '../../ports/blob-store.ts';

export interface PublishedFilesOptions {
  /** How long a file's size and validator are trusted; one second, like the access facts. */
  ttlMs?: number;
  /** Files up to this size have their bytes kept in memory (thumbnails are a few KiB). */
  maxFileBytes?: number;
  /** Bytes kept in memory in all; the least recently served file goes first. */
  maxBytes?: number;
  /** Keys whose size and validator are remembered at most; the least recently checked go first. */
  maxKeys?: number;
  now?: () => number;
}

interface Known {
  info: BlobInfo;
  until: number;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The CDN tier's view of the published files: each key's size and validator
 * for `ttlMs`, and the bytes of small files, kept while their validator is
 * unchanged. A published file is never rewritten in place (it is replaced by
 * rename, which changes its validator), so a replaced or removed file is seen
 * within `ttlMs`, the same window the access check allows.
 *
 * Why: every file-system call is a round trip through libuv's thread pool.
 * Serving a thumbnail straight from the store costs five of them (two stats,
 * open, read, close) and a stream, more than the rest of the request, and
 * under many connections the queue in front of the pool is what sets the
 * tail latency. Concurrent misses on one key share one call.
 */
export class PublishedFiles {
  readonly #files: BlobStore;
  readonly #ttlMs: number;
  readonly #maxFileBytes: number;
  readonly #maxBytes: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #known = new Map<string, Known>();
  readonly #statting = new Map<string, Promise<BlobInfo | undefined>>();
  /** Small files' bytes by key, least recently served first; each tagged with the validator it was read under. */
  readonly #bodies = new Map<string, { etag: string; data: Buffer }>();
  readonly #loading = new Map<string, Promise<Buffer | undefined>>();
  #bodyBytes = 0;

  constructor(files: BlobStore, options: PublishedFilesOptions = {}) {
    this.#files = files;
    this.#ttlMs = options.ttlMs ?? 1000;
    this.#maxFileBytes = options.maxFileBytes ?? 64 * 1024;
    this.#maxBytes = options.maxBytes ?? 32 * 2 ** 20;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** The file's size and validator, or undefined when there is no such file. */
  stat(key: string): Promise<BlobInfo | undefined> {
    const known = this.#known.get(key);
    if (known && known.until > this.#now()) return Promise.resolve(known.info);
    let pending = this.#statting.get(key);
    if (!pending) {
      pending = this.#files.stat(key).then(
        (info) => {
          this.#statting.delete(key);
          if (info) this.#remember(key, info);
          else this.forget(key);
          return info;
        },
        (error: unknown) => {
          this.#statting.delete(key);
          throw error;
        },
      );
      this.#statting.set(key, pending);
    }
    return pending;
  }

  /**
   * The whole file as `stat` described it: bytes from memory for a small
   * file, a stream otherwise; undefined when it has gone since.
   */
  async read(key: string, info: BlobInfo): Promise<Buffer | Readable | undefined> {
    if (info.bytes > this.#maxFileBytes || info.etag === undefined)
      return this.#orMissing(key, this.#files.read(key));
    const etag = info.etag;
    const kept = this.#bodies.get(key);
    if (kept?.etag === etag) {
      this.#bodies.delete(key);
      this.#bodies.set(key, kept);
      return kept.data;
    }
    let pending = this.#loading.get(key);
    if (!pending) {
      pending = this.#orMissing(key, this.#files.read(key).then(buffer))
        .then((data) => {
          if (data) this.#keep(key, etag, data);
          return data;
        })
        .finally(() => this.#loading.delete(key));
      this.#loading.set(key, pending);
    }
    return pending;
  }

  /**
   * A small file's size, validator and bytes, when all three are in memory:
   * the CDN tier's hot path answers from this alone. Past `ttlMs` they are
   * still answered while a new stat runs, so a busy file never waits for
   * one; a replaced or removed file is seen once that stat returns. (The
   * tombstones are the access facts, which the hot path never takes stale.)
   */
  peek(key: string): { info: BlobInfo; data: Buffer } | undefined {
    const known = this.#known.get(key);
    if (!known) return undefined;
    const kept = this.#bodies.get(key);
    if (!kept || kept.etag !== known.info.etag) return undefined;
    if (known.until <= this.#now() && !this.#statting.has(key))
      this.stat(key).catch(() => this.forget(key));
    this.#bodies.delete(key);
    this.#bodies.set(key, kept);
    return { info: known.info, data: kept.data };
  }

  /** Drops what is known of a key. */
  forget(key: string): void {
    this.#known.delete(key);
    const kept = this.#bodies.get(key);
    if (kept) {
      this.#bodies.delete(key);
      this.#bodyBytes -= kept.data.length;
    }
  }

  async #orMissing<T>(key: string, reading: Promise<T>): Promise<T | undefined> {
    try {
      return await reading;
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.forget(key);
      return undefined;
    }
  }

  #remember(key: string, info: BlobInfo): void {
    this.#known.delete(key);
    this.#known.set(key, { info, until: this.#now() + this.#ttlMs });
    if (this.#known.size > this.#maxKeys) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
  }

  #keep(key: string, etag: string, data: Buffer): void {
    const replaced = this.#bodies.get(key);
    if (replaced) this.#bodyBytes -= replaced.data.length;
    this.#bodies.delete(key);
    this.#bodies.set(key, { etag, data });
    this.#bodyBytes += data.length;
    for (const [oldest, { data: dropped }] of this.#bodies) {
      if (this.#bodyBytes <= this.#maxBytes) break;
      this.#bodies.delete(oldest);
      this.#bodyBytes -= dropped.length;
    }
  }
}
