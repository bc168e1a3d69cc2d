import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { thumbHashToApproximateAspectRatio } from 'thumbhash';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptImageError,
  ImageTooLargeError,
  imageHeaderLength,
  placeholder,
  probe,
  probeHead,
  renderRenditions,
  ThumbnailError,
} from '../src/index.ts';
import { meanDifference } from './compare.ts';
import { flipBits, seededRandom } from './generate.ts';
import { heicFixture } from './heic-fixtures.ts';

const photo = (name: string) =>
  fileURLToPath(new URL(`../../../examples/photos/${name}`, import.meta.url));

const LAKE_EXIF_P3 = heicFixture('lake-exif-p3.heic');
const PORTRAIT_IROT = heicFixture('portrait-irot.heic');
const LAKE_IMIR = heicFixture('lake-imir.heic');
const HALF_TRANSPARENT = heicFixture('half-transparent.heic');

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

const THUMBNAIL = { name: 'thumbnail', width: 120, height: 500 };
const render = async (input: string | Buffer) => (await renderRenditions(input, [THUMBNAIL]))[0]!;

/** A copy of a HEIC file whose every `ispe` box declares another size. */
function withDeclaredSize(heic: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(heic);
  for (let at = copy.indexOf('ispe'); at !== -1; at = copy.indexOf('ispe', at + 4)) {
    copy.writeUInt32BE(width, at + 8);
    copy.writeUInt32BE(height, at + 12);
  }
  return copy;
}

describe('HEIC', () => {
  let lake: Buffer;
  beforeAll(async () => {
    lake = await readFile(LAKE_EXIF_P3);
  });

  describe('probe', () => {
    it('reads format, size, colour profile and the EXIF fields, as for a JPEG', async () => {
      expect(await probe(LAKE_EXIF_P3)).toEqual({
        format: 'heic',
        width: 600,
        height: 400,
        orientation: 1,
        displayWidth: 600,
        displayHeight: 400,
        hasAlpha: false,
        animated: false,
        frames: 1,
        colorSpace: 'srgb',
        hasIccProfile: true,
        capturedAt: '2024-07-14T18:30:05+02:00',
        camera: {
          make: 'Apple',
          model: 'iPhone 15 Pro',
          lens: 'iPhone 15 Pro back camera 6.765mm f/1.78',
        },
        gps: { latitude: 64.0675, longitude: -21.9486, altitude: 58 },
      });
    });

    it('reports the irot rotation as an orientation, not the EXIF tag beside it', async () => {
      // Stored 600 × 400 and turned a quarter anticlockwise: what EXIF calls 8.
      expect(await probe(PORTRAIT_IROT)).toMatchObject({
        width: 600,
        height: 400,
        orientation: 8,
        displayWidth: 400,
        displayHeight: 600,
      });
      expect(await probe(LAKE_IMIR)).toMatchObject({ orientation: 4, displayWidth: 600 });
    });

    it('reports an alpha plane', async () => {
      expect(await probe(HALF_TRANSPARENT)).toMatchObject({
        width: 64,
        height: 48,
        hasAlpha: true,
      });
    });

    it('answers from the first bytes alone, as probeHead does for a JPEG', async () => {
      // heif-enc writes the Exif item last; a photo without one needs only its boxes.
      expect(imageHeaderLength(lake)).toBe(lake.length);
      expect(await probeHead(lake)).toEqual(await probe(lake));
      const plain = await readFile(HALF_TRANSPARENT);
      const length = imageHeaderLength(plain) as number;
      expect(length).toBeLessThan(plain.length);
      expect(await probeHead(plain.subarray(0, length))).toEqual(await probe(plain));
      expect(imageHeaderLength(lake.subarray(0, 100))).toBeUndefined();
      expect(await probeHead(lake.subarray(0, 100))).toBeUndefined();
    });
  });

  describe('renderRenditions', () => {
    it('renders the photo as its JPEG source renders, colours converted from Display P3', async () => {
      const heic = await render(LAKE_EXIF_P3);
      const jpeg = await render(photo('landscapes/lake.jpg'));
      expect([heic.width, heic.height]).toEqual([120, 80]);
      expect([jpeg.width, jpeg.height]).toEqual([120, 80]);
      expect(await meanDifference(heic.data, jpeg.data)).toBeLessThan(4);
    });

    it('renders upright by irot alone: the EXIF Orientation 8 in the file is not applied again', async () => {
      const heic = await render(PORTRAIT_IROT);
      const jpeg = await render(photo('portraits/portrait.jpg'));
      expect([heic.width, heic.height]).toEqual([120, 180]);
      expect(await meanDifference(heic.data, jpeg.data)).toBeLessThan(6);
    });

    it('renders upright by imir', async () => {
      const heic = await render(LAKE_IMIR);
      const jpeg = await render(photo('landscapes/lake.jpg'));
      expect(await meanDifference(heic.data, jpeg.data)).toBeLessThan(6);
    });

    it('renders several sizes from one decode', async () => {
      const renditions = await renderRenditions(PORTRAIT_IROT, [
        { name: 'small', width: 50 },
        { name: 'medium', width: 200, format: 'webp' },
      ]);
      expect(renditions.map((r) => [r.name, r.width, r.height])).toEqual([
        ['small', 50, 75],
        ['medium', 200, 300],
      ]);
    });

    it('renders the same bytes twice, and from a path and a buffer alike', async () => {
      const first = sha256((await render(LAKE_EXIF_P3)).data);
      expect(sha256((await render(LAKE_EXIF_P3)).data)).toBe(first);
      expect(sha256((await render(lake)).data)).toBe(first);
    });

    it('keeps alpha for PNG and flattens it onto white for JPEG', async () => {
      const [png, jpeg] = await renderRenditions(HALF_TRANSPARENT, [
        { name: 'png', width: 64, format: 'png' },
        { name: 'jpeg', width: 64 },
      ]);
      const pixel = async (data: Buffer, x: number) => {
        const { data: raw, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
        return [
          ...raw.subarray(
            (24 * info.width + x) * info.channels,
            (24 * info.width + x + 1) * info.channels,
          ),
        ];
      };
      expect(await pixel(png!.data, 60)).toEqual([
        expect.any(Number),
        expect.any(Number),
        expect.any(Number),
        0,
      ]);
      const [r, g, b] = await pixel(jpeg!.data, 60);
      expect(Math.min(r!, g!, b!)).toBeGreaterThan(245);
      const [red] = await pixel(jpeg!.data, 4);
      expect(red).toBeGreaterThan(200);
    });
  });

  describe('placeholder', () => {
    it('encodes a ThumbHash of the upright photo', async () => {
      const portrait = Buffer.from(await placeholder(PORTRAIT_IROT), 'base64');
      expect(portrait.length).toBeGreaterThanOrEqual(20);
      expect(thumbHashToApproximateAspectRatio(portrait)).toBeLessThan(0.8);
      const lakeHash = Buffer.from(await placeholder(LAKE_EXIF_P3), 'base64');
      expect(thumbHashToApproximateAspectRatio(lakeHash)).toBeGreaterThan(1.25);
    });
  });

  describe('refusals', () => {
    it('refuses a HEIC declaring more pixels than the limit from its header, before decoding', async () => {
      // Decoding would fail differently: the coded picture is 600 × 400.
      const bomb = withDeclaredSize(lake, 50_000, 50_000);
      for (const operation of [probe, renderRenditions, placeholder] as const) {
        const started = performance.now();
        const error = await operation(bomb).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ImageTooLargeError);
        expect(error).toMatchObject({ width: 50_000, height: 50_000 });
        expect(performance.now() - started).toBeLessThan(200);
      }
      await expect(
        renderRenditions(lake, undefined, { pixelLimit: 600 * 400 - 1 }),
      ).rejects.toBeInstanceOf(ImageTooLargeError);
    });

    it('refuses a HEIC whose header and coded picture disagree', async () => {
      const error = await render(withDeclaredSize(lake, 300, 200)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptImageError);
      expect((error as Error).message).toMatch(/^Cannot decode HEIC image: /);
    });

    it.each([0.6, 0.2, 0.02])(
      'refuses a HEIC cut to %f of its length as corrupt',
      async (fraction) => {
        const cut = lake.subarray(0, Math.floor(lake.length * fraction));
        for (const operation of [renderRenditions, placeholder] as const) {
          const error = await operation(cut).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CorruptImageError);
          expect((error as Error).message).toMatch(/HEI[CF]/);
        }
      },
    );

    it('survives bit flips anywhere in a HEIC', async () => {
      const random = seededRandom(7);
      for (let round = 0; round < 12; round++) {
        const damaged = flipBits(lake, 6, 16, random);
        try {
          const rendition = await render(damaged);
          expect(rendition.width).toBeLessThanOrEqual(120);
        } catch (error) {
          expect(error).toBeInstanceOf(ThumbnailError);
        }
      }
    });
  });
});
