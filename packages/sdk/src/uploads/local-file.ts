import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  return hashPath(file.path as string, signal);
}

/** Read size for hashing: large reads halve the syscalls of smaller ones. */
const READ_BYTES = 1 << 20;
/** Read buffers of finished hashes, reused: a stream would allocate (and GC) a buffer per read. */
const spare: Buffer[] = [];

async function hashPath(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const buffer = spare.pop() ?? Buffer.allocUnsafe(READ_BYTES);
  const file = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      if (signal?.aborted) throw abortError(signal, 'Hashing was aborted');
      const { bytesRead } = await file.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    await file.close();
    if (spare.length < 8) spare.push(buffer);
  }
}
