import { basename } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { probe, renderRenditions, ThumbnailError } from '../src/index.ts';
import { meanDifference } from './compare.ts';
import { fixtureFiles, HAVE_FIXTURES } from './shared-fixtures.ts';

const orientation = await fixtureFiles('orientation');
const cameras = await fixtureFiles('cameras');
const corrupt = await fixtureFiles('corrupt');

async function thumbnailOf(path: string) {
  const [rendition] = await renderRenditions(path);
  return rendition!;
}

describe.skipIf(!HAVE_FIXTURES)('real images from ../shared/fixtures', () => {
  describe('orientation/', () => {
    for (const family of ['Landscape', 'Portrait']) {
      const files = orientation.filter((path) => basename(path).startsWith(`${family}_`));
      const reference = files.find((path) => basename(path) === `${family}_1.jpg`);

      it.each(files.map((path) => [basename(path), path]))(
        '%s renders upright',
        async (_name, path) => {
          const expected = await thumbnailOf(reference!);
          const actual = await thumbnailOf(path);
          expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
          expect(await meanDifference(actual.data, expected.data)).toBeLessThan(6);
        },
      );
    }
  });

  describe('cameras/', () => {
    it.each(cameras.map((path) => [basename(path), path]))(
      '%s renders and probes',
      async (_name, path) => {
        const info = await probe(path);
        const rendition = await thumbnailOf(path);
        expect(rendition.width).toBe(Math.min(50, info.displayWidth));
        const meta = await sharp(rendition.data).metadata();
        expect(meta).toMatchObject({ format: 'jpeg', space: 'srgb' });
        expect(meta.exif).toBeUndefined();
      },
    );

    it('reads GPS positions from the geotagged photos', async () => {
      const geotagged = cameras.filter((path) => basename(path).startsWith('gps__'));
      expect(geotagged.length).toBeGreaterThan(0);
      for (const path of geotagged) {
        const { gps } = await probe(path);
        expect(gps, basename(path)).toMatchObject({
          latitude: expect.any(Number),
          longitude: expect.any(Number),
        });
      }
    });
  });

  describe('corrupt/', () => {
    it.each(corrupt.map((path) => [basename(path), path]))(
      '%s yields a thumbnail or a typed error',
      async (_name, path) => {
        try {
          const rendition = await thumbnailOf(path);
          const meta = await sharp(rendition.data).metadata();
          expect(meta.width).toBe(rendition.width);
          expect(rendition.width).toBeLessThanOrEqual(50);
        } catch (error) {
          expect(error).toBeInstanceOf(ThumbnailError);
        }
      },
    );

    it('keeps memory bounded across all of them', () => {
      expect(process.memoryUsage().rss).toBeLessThan(1.5 * 2 ** 30);
    });
  });
});
