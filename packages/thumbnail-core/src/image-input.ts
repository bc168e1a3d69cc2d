import { open } from 'node:fs/promises';

/** An image to read: a file path, or its bytes already in memory. */
export type ImageInput = string | Uint8Array;

/** How many leading bytes format detection needs (ISO BMFF brands sit within the first box). */
export const HEAD_BYTES = 64;

/**
 * How much the first read of an image takes: the frame header of a JPEG whose
 * EXIF block is of ordinary size, and the `meta` box of most HEIC files. A
 * head shorter than this is the whole file.
 */
export const FIRST_READ_BYTES = 1 << 14;

/** Reads the first bytes of an input without loading the rest. */
export function readHead(input: ImageInput, length = HEAD_BYTES): Promise<Uint8Array> {
  return readRange(input, 0, length);
}

/**
 * Reads `length` bytes from `offset`, or fewer where the input ends first,
 * without loading the rest: a HEIF file's boxes are found by offset.
 */
export async function readRange(
  input: ImageInput,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(offset, offset + length);
  const file = await open(input, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
