// Patches: bytes written over a file's bytes, the same length, so offsets never move.

/** Bytes to write over a file's bytes from `offset` on. */
export interface BytePatch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** Reads `length` bytes of a file at `offset`; fewer where the file ends. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/**
 * `chunk`, which starts at `start` in the file, with the patches that reach
 * into it applied: a copy when any does, `chunk` itself otherwise.
 */
export function patchChunk(
  chunk: Uint8Array,
  start: number,
  patches: readonly BytePatch[],
): Uint8Array {
  let patched = chunk;
  for (const { offset, bytes } of patches) {
    const from = Math.max(offset, start);
    const to = Math.min(offset + bytes.length, start + chunk.length);
    if (from >= to) continue;
    if (patched === chunk) patched = Uint8Array.from(chunk);
    patched.set(bytes.subarray(from - offset, to - offset), from - start);
  }
  return patched;
}

/** A ReadAt over bytes already in memory. */
export const readFrom =
  (bytes: Uint8Array): ReadAt =>
  async (offset, length) =>
    bytes.subarray(offset, offset + length);

/** Patches found in a block, moved to where the block lies in the file. */
export const shifted = (patches: readonly BytePatch[], by: number): BytePatch[] =>
  patches.map(({ offset, bytes }) => ({ offset: offset + by, bytes }));
