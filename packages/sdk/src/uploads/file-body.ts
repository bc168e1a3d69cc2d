import { createReadStream } from 'node:fs';

/** 1 MiB reads: a quarter of the syscalls of Node's 64 KiB default on a multi-megabyte PATCH. */
const READ_BYTES = 1 << 20;
/** A buffer is handed to fetch in pieces of this size, so progress and the idle timer move. */
const PIECE = 256 * 1024;

/** The bytes of an upload: a file on disk, or a buffer in memory. */
export interface FileBytes {
  path?: string | undefined;
  buffer?: Buffer | undefined;
}

/**
 * The bytes from `start` to `end` (exclusive) of a file or buffer, as a
 * request body. A file is opened for this range only, and its first MiB is
 * read at once: a body is made before its request waits for a transfer
 * slot, so the first bytes are in memory when the slot frees.
 */
export function bodyOf(file: FileBytes, start: number, end: number): AsyncIterable<Uint8Array> {
  if (end <= start) return (async function* () {})();
  if (file.buffer) return pieces(file.buffer.subarray(start, end));
  const stream = createReadStream(file.path as string, {
    start,
    end: end - 1,
    highWaterMark: READ_BYTES,
  });
  stream.read(0);
  return stream;
}

async function* pieces(buffer: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < buffer.length; offset += PIECE)
    yield buffer.subarray(offset, offset + PIECE);
}

/**
 * Passes a body's chunks on, reporting the bytes fetch has taken so far
 * (counted once taken, not when read from disk), and calling `onStart` as
 * it takes the first.
 */
export async function* counted(
  chunks: AsyncIterable<Uint8Array>,
  onProgress: (sent: number) => void,
  onStart?: () => void,
): AsyncGenerator<Uint8Array> {
  onStart?.();
  let sent = 0;
  for await (const chunk of chunks) {
    yield chunk;
    sent += chunk.length;
    onProgress(sent);
  }
}

/** Closes a body that was never sent (a file stream holds a descriptor open). */
export function discard(body: AsyncIterable<Uint8Array>): void {
  (body as { destroy?: () => void }).destroy?.();
}
