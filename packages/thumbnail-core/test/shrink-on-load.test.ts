import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcOnlyCopy } from '../src/dc-only-jpeg.ts';
import { jpegShrinkOnLoad, type ResizeRequest } from '../src/shrink-on-load.ts';
import { texture } from './progressive-jpeg.ts';

// The oracle for "libvips shrank on load by 8": the pipeline gives the same
// pixels from the file and from its DC-only copy. At 1/4 or more, libjpeg's
// larger IDCTs read AC coefficients, which the copy has as zeros, so on a
// textured image the pixels differ. This checks jpegShrinkOnLoad against
// what sharp and libvips actually do, on both sides of every boundary.

/** A 900×600 (upright) textured progressive 4:4:4 JPEG, stored as is or turned (orientation 6). */
async function photo(orientation: 1 | 6): Promise<Buffer> {
  const [width, height] = orientation === 6 ? [600, 900] : [900, 600];
  return sharp(texture(width, height), { raw: { width, height, channels: 3 } })
    .withMetadata({ orientation })
    .jpeg({ progressive: true, chromaSubsampling: '4:4:4', mozjpeg: false, quality: 90 })
    .toBuffer();
}

async function decodedAtEighth(jpeg: Buffer, resize: ResizeRequest): Promise<boolean> {
  const copy = await dcOnlyCopy(jpeg, () => true);
  if (!copy) throw new Error('no DC-only copy');
  const run = (input: Buffer) =>
    sharp(input, { autoOrient: true })
      .resize({ ...resize, position: 'centre' })
      .raw()
      .toBuffer();
  return (await run(jpeg)).equals(await run(copy));
}

const inside = (width?: number, height?: number): ResizeRequest => ({
  width,
  height,
  fit: 'inside',
  withoutEnlargement: true,
});

// Upright source 900×600. Shrinks: 900/100 = 9 (→ 8), 900/101 = 8.91 (→ 4),
// 900/112 = 8.04 (truncates to 8, so → 4), 600/66 = 9.09 (→ 8)...
const CASES: [string, ResizeRequest][] = [
  ['width 100', inside(100)],
  ['width 101', inside(101)],
  ['width 99', inside(99)],
  ['width 112', inside(112)],
  ['width 113', inside(113)],
  ['width 50 (the thumbnail)', inside(50, 500)],
  ['width 56', inside(56)],
  ['width 225', inside(225)],
  ['height 66', inside(undefined, 66)],
  ['height 67', inside(undefined, 67)],
  ['inside 200×66', inside(200, 66)],
  ['inside 200×67', inside(200, 67)],
  ['cover 100×100', { width: 100, height: 100, fit: 'cover', withoutEnlargement: true }],
  ['cover 100×66', { width: 100, height: 66, fit: 'cover', withoutEnlargement: true }],
  ['cover 50×50', { width: 50, height: 50, fit: 'cover', withoutEnlargement: true }],
  ['fill 100×66', { width: 100, height: 66, fit: 'fill', withoutEnlargement: false }],
  ['fill 100×67', { width: 100, height: 67, fit: 'fill', withoutEnlargement: false }],
  ['fill 99×70', { width: 99, height: 70, fit: 'fill', withoutEnlargement: false }],
];

describe('jpegShrinkOnLoad predicts libvips', () => {
  const photos = new Map<number, Buffer>();
  beforeAll(async () => {
    photos.set(1, await photo(1));
    photos.set(6, await photo(6));
  });

  describe.each([1, 6] as const)('EXIF orientation %i', (orientation) => {
    it.each(CASES)('%s', async (_name, resize) => {
      const stored = orientation === 6 ? { width: 600, height: 900 } : { width: 900, height: 600 };
      const predicted = jpegShrinkOnLoad(stored, resize, orientation === 6) === 8;
      expect(await decodedAtEighth(photos.get(orientation) as Buffer, resize)).toBe(predicted);
    });
  });

  it('covers both outcomes', () => {
    const outcomes = CASES.map(
      ([, resize]) => jpegShrinkOnLoad({ width: 900, height: 600 }, resize, false) === 8,
    );
    expect(outcomes.filter(Boolean).length).toBeGreaterThan(4);
    expect(outcomes.filter((x) => !x).length).toBeGreaterThan(4);
  });

  it('gives the other factors as sharp does', () => {
    const stored = { width: 900, height: 600 };
    expect(jpegShrinkOnLoad(stored, inside(112), false)).toBe(4);
    expect(jpegShrinkOnLoad(stored, inside(225), false)).toBe(2); // 4, truncated to 4, halved
    expect(jpegShrinkOnLoad(stored, inside(300), false)).toBe(2);
    expect(jpegShrinkOnLoad(stored, inside(600), false)).toBe(1);
    expect(jpegShrinkOnLoad(stored, inside(2000), false)).toBe(1); // never enlarged
    expect(jpegShrinkOnLoad({ width: 10, height: 4000 }, inside(50, 500), false)).toBe(4); // 8, truncated to 8, halved
    expect(jpegShrinkOnLoad(stored, { fit: 'inside', withoutEnlargement: true }, false)).toBe(1);
  });
});
