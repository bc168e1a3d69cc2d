import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashFile } from '@flickr-kit/thumbnail-core';
import { abortError, throwIfAborted } from '../core/retry.ts';
import type { FileDigest } from './file-digest.ts';

/** What an upload reads its bytes from: a file on disk, or a buffer in memory. */
export interface LocalFile {
  path?: string;
  buffer?: Buffer;
  /** Removes what {@link asLocalFile} spooled; a no-op for paths and buffers. */
  cleanup(): Promise<void>;
}

/**
 * A local file to upload: streams are spooled to a temporary file first, so
 * hashing and resuming can re-read them.
 */
export async function asLocalFile(
  input: string | Buffer | Readable,
  signal?: AbortSignal,
): Promise<LocalFile> {
  throwIfAborted(signal);
  if (typeof input === 'string') return { path: input, cleanup: async () => {} };
  if (Buffer.isBuffer(input)) return { buffer: input, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'flickr-upload-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'upload');
  try {
    await pipeline(input, createWriteStream(path), signal ? { signal } : {});
  } catch (error) {
    await cleanup();
    if (signal?.aborted) throw abortError(signal, 'Spooling the stream was aborted');
    throw error;
  }
  return { path, cleanup };
}

/** The SHA-256 and size of a file or buffer, streamed; an abort stops it with a typed AbortError. */
export async function digestOf(
  file: { path?: string; buffer?: Buffer },
  signal?: AbortSignal,
): Promise<FileDigest> {
  throwIfAborted(signal);
  if (file.buffer) {
    return {
      sha256: createHash('sha256').update(file.buffer).digest('hex'),
      bytes: file.buffer.length,
    };
  }
  try {
    return await hashFile(file.path as string, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, 'Hashing was aborted');
    throw error;
  }
}
