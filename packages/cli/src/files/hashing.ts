import { createReadStream } from 'node:fs';
import { type FileDigest, hashFile } from '@flickr-kit/sdk';
import PQueue from 'p-queue';
import type { HashCache } from './hash-cache.ts';
import type { LocalFile } from './walk.ts';

export interface HashingProgress {
  /** A file started hashing (not reported for cache hits). */
  started?(file: LocalFile): void;
  /** Bytes of one file hashed so far. */
  progress?(file: LocalFile, bytes: number): void;
  hashed?(file: LocalFile, digest: FileDigest, cached: boolean): void;
  failed?(file: LocalFile, error: Error): void;
}

export interface HashAllOptions extends HashingProgress {
  cache: HashCache;
  /** Files read at once: hashing is bound by the disk (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Saves the cache this often while hashing, so a killed run keeps most of its work. */
const SAVE_EVERY_MS = 5000;

/**
 * Every file's digest, from the cache where it is still valid, otherwise
 * streamed from disk; files that cannot be read are reported, not thrown.
 */
export async function hashAll(
  files: readonly LocalFile[],
  options: HashAllOptions,
): Promise<Map<string, FileDigest>> {
  const { cache, signal } = options;
  const digests = new Map<string, FileDigest>();
  const queue = new PQueue({ concurrency: options.concurrency ?? 2 });
  let lastSave = Date.now();
  for (const file of files) {
    const known = cache.lookup(file);
    if (known) {
      digests.set(file.path, known);
      options.hashed?.(file, known, true);
      continue;
    }
    void queue.add(async () => {
      if (signal?.aborted) return;
      options.started?.(file);
      try {
        const digest = await hashFile(counted(file, options), signal ? { signal } : {});
        digests.set(file.path, digest);
        cache.remember(file, digest);
        options.hashed?.(file, digest, false);
      } catch (error) {
        if (signal?.aborted) return;
        options.failed?.(file, describeReadError(file, error));
      }
      if (Date.now() - lastSave > SAVE_EVERY_MS) {
        lastSave = Date.now();
        await cache.save().catch(() => {});
      }
    });
    await queue.onSizeLessThan(64);
  }
  await queue.onIdle();
  await cache.save();
  signal?.throwIfAborted();
  return digests;
}

/** The file's bytes, reporting how many have gone by. */
async function* counted(file: LocalFile, options: HashAllOptions): AsyncGenerator<Buffer> {
  let bytes = 0;
  // Large reads for large files; a small file gets a buffer its own size, not 1 MiB
  // (a 100,000-photo archive would otherwise allocate 100 GB of buffers).
  const highWaterMark = Math.max(16 * 1024, Math.min(1 << 20, file.size));
  for await (const chunk of createReadStream(file.path, { highWaterMark })) {
    bytes += (chunk as Buffer).length;
    options.progress?.(file, bytes);
    yield chunk as Buffer;
  }
}

function describeReadError(file: LocalFile, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return new Error(`cannot read ${file.path}: permission denied`);
  if (code === 'ENOENT') return new Error(`${file.path} vanished before it could be read`);
  if (code === 'EISDIR') return new Error(`${file.path} is a folder`);
  if (code === 'EIO') return new Error(`cannot read ${file.path}: input/output error`);
  return error instanceof Error ? error : new Error(String(error));
}
