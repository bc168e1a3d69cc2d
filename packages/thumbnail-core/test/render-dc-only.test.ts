import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RenditionSpec } from '../src/index.ts';
import { segments } from './jpeg-segments.ts';
import { encodeProgressiveJpeg, texture } from './progressive-jpeg.ts';

// renderRenditions with the DC-only path against renderRenditions without it
// (dc-only-jpeg.ts mocked to find nothing): same bytes, or the same error.

type Render = typeof import('../src/render.ts')['renderRenditions'];
type DcOnly = typeof import('../src/dc-only-jpeg.ts');

/** Whether each dcOnlyCopy call of the instrumented renderer returned a copy. */
const copies: boolean[] = [];

async function loadRenderer(dcOnly: boolean): Promise<Render> {
  vi.resetModules();
  vi.doMock('../src/dc-only-jpeg.ts', async (importOriginal) => {
    const real = await importOriginal<DcOnly>();
    const dcOnlyCopy: DcOnly['dcOnlyCopy'] = async (input, accept) => {
      if (!dcOnly) return undefined;
      const copy = await real.dcOnlyCopy(input, accept);
      copies.push(copy !== undefined);
      return copy;
    };
    return { ...real, dcOnlyCopy };
  });
  const { renderRenditions } = await import('../src/render.ts');
  vi.doUnmock('../src/dc-only-jpeg.ts');
  return renderRenditions;
}

let withDcOnly: Render;
let without: Render;

/** Each rendition's hash and size, or the error's class and code. */
async function outcome(
  render: Render,
  input: string | Buffer,
  specs?: RenditionSpec[],
  pixelLimit?: number,
) {
  try {
    const renditions = await render(input, specs, pixelLimit ? { pixelLimit } : undefined);
    return renditions.map(
      (r) =>
        `${r.name} ${r.width}×${r.height} ${createHash('sha256').update(r.data).digest('hex')}`,
    );
  } catch (error) {
    return `${(error as Error).name} ${(error as { code?: string }).code}`;
  }
}

/** Renders both ways; returns whether the DC-only path made a copy. */
async function expectSameOutcome(
  input: string | Buffer,
  specs?: RenditionSpec[],
  pixelLimit?: number,
): Promise<boolean> {
  copies.length = 0;
  const actual = await outcome(withDcOnly, input, specs, pixelLimit);
  const made = copies.includes(true);
  expect(actual).toEqual(await outcome(without, input, specs, pixelLimit));
  return made;
}

const THUMBNAIL: RenditionSpec[] = [{ name: 'thumbnail', width: 50, height: 500 }];
const progressive = (width: number, height: number, orientation?: number) =>
  encodeProgressiveJpeg(texture(width, height), width, height, {
    restartInterval: 6,
    ...(orientation ? { orientation } : {}),
  });

describe('renderRenditions through the DC-only copy', () => {
  let dir: string;
  let photo: Buffer;
  beforeAll(async () => {
    without = await loadRenderer(false);
    withDcOnly = await loadRenderer(true);
    dir = await mkdtemp(join(tmpdir(), 'render-dc-only-'));
    photo = await sharp(texture(900, 600), { raw: { width: 900, height: 600, channels: 3 } })
      .withIccProfile('p3')
      .jpeg({ progressive: true, mozjpeg: true })
      .toBuffer();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'renders the default thumbnail byte for byte, EXIF orientation %i',
    async (orientation) => {
      expect(await expectSameOutcome(progressive(611, 467, orientation))).toBe(true);
    },
  );

  it('asks for the EXIF orientation when the shrink depends on it', async () => {
    // Upright 611 px wide: 1/8 for 50 px. Turned (orientation 6), 397 px wide: 1/4.
    expect(await expectSameOutcome(progressive(611, 397, 1))).toBe(true);
    expect(await expectSameOutcome(progressive(611, 397, 6))).toBe(false);
    expect(await expectSameOutcome(progressive(397, 611, 6))).toBe(true);
  });

  it.each<[string, RenditionSpec[]]>([
    ['cover, WebP', [{ name: 'square', width: 50, height: 50, fit: 'cover', format: 'webp' }]],
    ['PNG by height', [{ name: 'strip', height: 40, format: 'png' }]],
    ['AVIF', [{ name: 'modern', width: 60, format: 'avif' }]],
    [
      'several small sizes from one decode',
      [
        { name: 'thumbnail', width: 50, height: 500 },
        { name: 'square', width: 50, height: 50, fit: 'cover', format: 'webp' },
        { name: 'small', width: 90, format: 'png' },
      ],
    ],
  ])('renders %s byte for byte', async (_name, specs) => {
    expect(await expectSameOutcome(photo, specs)).toBe(true);
  });

  it('reads a path as it reads the bytes', async () => {
    const path = join(dir, 'photo.jpg');
    await writeFile(path, photo);
    expect(await expectSameOutcome(path)).toBe(true);
    expect(await outcome(withDcOnly, path)).toEqual(await outcome(withDcOnly, photo));
  });

  it('takes the normal path where libvips decodes at more than 1/8', async () => {
    // 400 px wide: a shrink of 8 for 50 px, which sharp lowers to 4.
    expect(await expectSameOutcome(progressive(400, 300))).toBe(false);
    expect(await expectSameOutcome(progressive(449, 300))).toBe(false);
    expect(await expectSameOutcome(progressive(450, 300))).toBe(true);
    // Several sizes decode once, at the largest one's size: 240 px of 900 is 1/4 at most,
    // and so is a 75 px square's 113×75 of 900×600.
    expect(
      await expectSameOutcome(photo, [...THUMBNAIL, { name: 'medium', width: 240, format: 'png' }]),
    ).toBe(false);
    expect(
      await expectSameOutcome(photo, [
        ...THUMBNAIL,
        { name: 'square', width: 75, height: 75, fit: 'cover' },
      ]),
    ).toBe(false);
    expect(await expectSameOutcome(photo, [{ name: 'large', width: 2000 }])).toBe(false);
  });

  it('takes the normal path for baseline JPEGs and other formats', async () => {
    const raw = { raw: { width: 900, height: 600, channels: 3 } } as const;
    expect(await expectSameOutcome(await sharp(texture(900, 600), raw).jpeg().toBuffer())).toBe(
      false,
    );
    expect(await expectSameOutcome(await sharp(texture(900, 600), raw).webp().toBuffer())).toBe(
      false,
    );
  });

  it('still refuses an image over the pixel limit before decoding it', async () => {
    copies.length = 0;
    expect(await expectSameOutcome(photo, undefined, 900 * 600 - 1)).toBe(false);
    expect(await outcome(withDcOnly, photo, undefined, 900 * 600 - 1)).toBe(
      'ImageTooLargeError image_too_large',
    );
  });

  it('leaves a file whose DC data libjpeg warns about to the normal path', async () => {
    const jpeg = progressive(611, 397);
    const dc = segments(jpeg).find((s) => s.marker === 0xda);
    if (!dc) throw new Error('no scan');
    for (const at of [dc.data + 40, dc.data + 900, dc.data + 2000]) {
      const damaged = Buffer.from(jpeg);
      damaged[at] = 0x00;
      expect(await expectSameOutcome(damaged)).toBe(true);
    }
  });

  it('differs only where the left-out AC data is damaged past what libvips tolerates', async () => {
    // The one difference, by design: decoding the file, libjpeg warns at every
    // bad code of the AC scans and libvips gives up after a few dozen warnings;
    // the copy never reads those scans, so it renders from the intact DC data.
    const jpeg = progressive(611, 397);
    const damaged = Buffer.from(jpeg);
    const luma = segments(jpeg).filter((s) => s.marker === 0xda)[4];
    if (!luma) throw new Error('no scan');
    for (let at = luma.data + 10; at < luma.end - 10; at += 50) {
      if (damaged[at] !== 0xff && damaged[at - 1] !== 0xff) damaged[at] = 0xfe;
    }
    expect(await outcome(without, damaged)).toBe('CorruptImageError corrupt_image');
    expect(await outcome(withDcOnly, damaged)).toEqual(await outcome(withDcOnly, jpeg));
  });
});
