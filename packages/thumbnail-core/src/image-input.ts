import { open } from 'node:fs/promises';

/** An image to read: a file path, or its bytes already in memory. */
export type ImageInput = string | Uint8Array;

/** How many leading bytes format detection needs (ISO BMFF brands sit within the first box). */
export const HEAD_BYTES = 64;

/** Reads the first bytes of an input without loading the rest. */
export async function readHead(input: ImageInput, length = HEAD_BYTES): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(0, length);
  const file = await open(input, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
