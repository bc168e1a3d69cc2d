import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptImageError,
  ImageTooLargeError,
  jpegHeaderLength,
  placeholder,
  probe,
  renderRenditions,
  ThumbnailError,
  UnsupportedFormatError,
} from '../src/index.ts';
import {
  colourDistance,
  flipBits,
  GREEN,
  pngBomb,
  quadrantImage,
  quadrantMeans,
  RED,
  seededRandom,
} from './generate.ts';

describe('hostile and broken input', () => {
  let dir: string;
  let photo: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostile-'));
    photo = await quadrantImage(640, 480).jpeg({ quality: 90 }).toBuffer();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a 50,000 × 50,000 PNG bomb of a few kilobytes from its header', async () => {
    const bomb = pngBomb(50_000, 50_000);
    expect(bomb.length).toBeLessThan(10_000);
    const before = process.memoryUsage().rss;
    for (const operation of [probe, renderRenditions, placeholder] as const) {
      const error = await operation(bomb).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageTooLargeError);
      expect(error).toMatchObject({ width: 50_000, height: 50_000, pixelLimit: 100_000_000 });
      expect((error as Error).message).toMatch(/50000×50000 \(2500 megapixels\).*100 megapixels/);
    }
    // Decoding would need 2.5 GB; refusing it must not allocate anything like that.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 2 ** 20);
  });

  it('applies a configured pixel limit', async () => {
    await expect(
      renderRenditions(photo, undefined, { pixelLimit: 640 * 480 - 1 }),
    ).rejects.toBeInstanceOf(ImageTooLargeError);
    await expect(
      renderRenditions(photo, undefined, { pixelLimit: 640 * 480 }),
    ).resolves.toHaveLength(1);
  });

  it('refuses an SVG without parsing it, even when named .jpg', async () => {
    const path = join(dir, 'vector.jpg');
    await writeFile(
      path,
      '<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"><rect/></svg>',
    );
    const error = await renderRenditions(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error).toMatchObject({
      detected: 'svg',
      message: expect.stringMatching(/SVG images are not accepted/),
    });
  });

  it('refuses a text file named .jpg with a readable message', async () => {
    const path = join(dir, 'notes.jpg');
    await writeFile(path, 'shopping list: milk, eggs, film\n');
    const error = await probe(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect((error as Error).message).toMatch(/Not a supported image \(text\)/);
  });

  it.each([0.9, 0.5, 0.1, 0.01])(
    'renders a JPEG truncated to %f of its length, or refuses it as corrupt',
    async (fraction) => {
      const truncated = photo.subarray(0, Math.floor(photo.length * fraction));
      await expectThumbnailOrTypedError(truncated);
    },
  );

  it('renders a JPEG cut at 60% of its bytes: the part that arrived, the rest grey', async () => {
    for (const progressive of [false, true]) {
      const source = await quadrantImage(640, 480).jpeg({ quality: 90, progressive }).toBuffer();
      const cut = source.subarray(0, Math.floor(source.length * 0.6));
      const [rendition] = await renderRenditions(cut);
      expect([rendition!.width, rendition!.height]).toEqual([50, 38]);
      const [topLeft, topRight, bottomLeft, bottomRight] = await quadrantMeans(rendition!.data);
      expect(colourDistance(topLeft, RED)).toBeLessThan(40);
      expect(colourDistance(topRight, GREEN)).toBeLessThan(40);
      // libjpeg fills what never arrived with mid-grey, as browsers show it.
      for (const missing of progressive ? [] : [bottomLeft, bottomRight]) {
        expect(colourDistance(missing, [128, 128, 128])).toBeLessThan(20);
      }
      await expect(placeholder(cut)).resolves.toMatch(/^[A-Za-z0-9+/=]+$/);
    }
  });

  it('refuses a JPEG that ends with its header, before any image data', async () => {
    const headerOnly = photo.subarray(0, jpegHeaderLength(photo));
    const error = await renderRenditions(headerOnly).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptImageError);
    expect((error as Error).message).toMatch(/ends before its image data/);
    // Its header alone still probes, as probeHead needs.
    await expect(probe(headerOnly)).resolves.toMatchObject({ width: 640, height: 480 });
  });

  it('refuses garbage after a valid SOI with a clear message', async () => {
    const random = seededRandom(3);
    const garbage = Buffer.from(Array.from({ length: 4000 }, () => Math.floor(random() * 256)));
    const input = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), garbage]);
    for (const operation of [probe, renderRenditions, placeholder] as const) {
      const error = await operation(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptImageError);
      expect((error as Error).message).toMatch(/^Cannot decode JPEG image: /);
    }
  });

  it('refuses a file that is only a JPEG signature', async () => {
    await expect(renderRenditions(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).rejects.toBeInstanceOf(
      CorruptImageError,
    );
  });

  it('survives bit flips anywhere in a JPEG and a PNG', async () => {
    const png = await quadrantImage(200, 150).png().toBuffer();
    const random = seededRandom(42);
    for (const source of [photo, png]) {
      for (let round = 0; round < 20; round++) {
        await expectThumbnailOrTypedError(flipBits(source, 8, 8, random));
      }
    }
  });
});

async function expectThumbnailOrTypedError(input: Buffer): Promise<void> {
  try {
    const [rendition] = await renderRenditions(input);
    expect(rendition!.width).toBeGreaterThan(0);
    expect(rendition!.width).toBeLessThanOrEqual(50);
  } catch (error) {
    expect(error).toBeInstanceOf(ThumbnailError);
  }
}
