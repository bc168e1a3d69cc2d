// Comparisons that assert as they go, so they import vitest. Kept out of
// generate.ts, which the thumbnail bench imports too: its contender processes
// report their peak RSS and should not load vitest.
import sharp from 'sharp';
import { expect } from 'vitest';

/** Mean absolute difference per channel value (0-255) between two images of one size. */
export async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const [pa, pb] = await Promise.all([a, b].map((image) => sharp(image).raw().toBuffer()));
  expect(pa!.length).toBe(pb!.length);
  let total = 0;
  for (let i = 0; i < pa!.length; i++) total += Math.abs((pa![i] as number) - (pb![i] as number));
  return total / pa!.length;
}
