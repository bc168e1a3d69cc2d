import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderRenditions, renditionSize, THUMBNAIL_SPEC } from '../src/index.ts';
import {
  BLUE,
  colourDistance,
  halfTransparentPng,
  orientedJpeg,
  QUADRANTS,
  quadrantImage,
  quadrantMeans,
  RED,
  solid,
  twoFrameGif,
  WHITE,
} from './generate.ts';

async function thumbnail(input: Buffer) {
  const [rendition] = await renderRenditions(input);
  if (!rendition) throw new Error('no rendition');
  return rendition;
}

describe('renderRenditions', () => {
  describe.each([1, 2, 3, 4, 5, 6, 7, 8])('EXIF orientation %i', (orientation) => {
    it('renders upright, 50 px wide, with the aspect ratio of the displayed image', async () => {
      const rendition = await thumbnail(await orientedJpeg(200, 100, orientation));
      expect([rendition.width, rendition.height]).toEqual([50, 25]);
      const means = await quadrantMeans(rendition.data);
      means.forEach((mean, i) => {
        expect(colourDistance(mean, QUADRANTS[i]!)).toBeLessThan(40);
      });
    });
  });

  it('renders the default spec as a 50 px wide JPEG', async () => {
    const rendition = await thumbnail(await quadrantImage(1600, 1200).jpeg().toBuffer());
    expect(rendition).toMatchObject({ name: 'thumbnail', format: 'jpeg', width: 50, height: 38 });
    expect(rendition.bytes).toBe(rendition.data.length);
    expect((await sharp(rendition.data).metadata()).format).toBe('jpeg');
  });

  it('never enlarges a source narrower than 50 px', async () => {
    const rendition = await thumbnail(await solid(20, 12, RED));
    expect([rendition.width, rendition.height]).toEqual([20, 12]);
  });

  it.each([
    [4000, 10, 50, 1],
    [10, 4000, 1, 500],
    [400, 40_000, 5, 500],
  ])('keeps an extreme %i×%i source within bounds (%i×%i)', async (w, h, ew, eh) => {
    const rendition = await thumbnail(await solid(w, h, BLUE));
    expect([rendition.width, rendition.height]).toEqual([ew, eh]);
  });

  it('flattens alpha onto white for JPEG and keeps it for WebP', async () => {
    const source = await halfTransparentPng(100, 100);
    const [jpeg, webp] = await renderRenditions(source, [
      { name: 'flat', width: 50 },
      { name: 'alpha', width: 50, format: 'webp', quality: 90 },
    ]);
    const means = await quadrantMeans(jpeg!.data);
    expect(colourDistance(means[0], RED)).toBeLessThan(40);
    expect(colourDistance(means[1], [255, 255, 255])).toBeLessThan(10);
    const webpMeta = await sharp(webp!.data).metadata();
    expect(webpMeta).toMatchObject({ format: 'webp', hasAlpha: true });
  });

  it('converts 16-bit sources to 8-bit sRGB', async () => {
    const source = await quadrantImage(200, 100).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(source).metadata()).depth).toBe('ushort');
    const rendition = await thumbnail(source);
    const meta = await sharp(rendition.data).metadata();
    expect(meta).toMatchObject({ depth: 'uchar', space: 'srgb', channels: 3 });
    const means = await quadrantMeans(rendition.data);
    means.forEach((mean, i) => {
      expect(colourDistance(mean, QUADRANTS[i]!)).toBeLessThan(40);
    });
  });

  it('converts CMYK sources to sRGB', async () => {
    const source = await quadrantImage(200, 100)
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer();
    expect((await sharp(source).metadata()).space).toBe('cmyk');
    const rendition = await thumbnail(source);
    expect(await sharp(rendition.data).metadata()).toMatchObject({ space: 'srgb', channels: 3 });
    const [topLeft, , , bottomRight] = await quadrantMeans(rendition.data);
    expect(colourDistance(topLeft, RED)).toBeLessThan(70);
    expect(colourDistance(bottomRight, WHITE)).toBeLessThan(40);
  });

  it('renders the first frame of an animated GIF, at the height of one frame', async () => {
    const rendition = await thumbnail(await twoFrameGif(100, 50));
    expect([rendition.width, rendition.height]).toEqual([50, 25]);
    const meta = await sharp(rendition.data).metadata();
    expect(meta.pages ?? 1).toBe(1);
    const [topLeft] = await quadrantMeans(rendition.data);
    expect(colourDistance(topLeft, RED)).toBeLessThan(40);
  });

  it('strips EXIF (camera, GPS), ICC, XMP and IPTC from every rendition', async () => {
    const source = await quadrantImage(400, 300)
      .jpeg()
      .withExif({
        IFD0: { Make: 'LeakyCam', Model: 'Spy 1' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' },
      })
      .withIccProfile('p3')
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
      .toBuffer();
    const sourceMeta = await sharp(source).metadata();
    expect(sourceMeta.exif && sourceMeta.icc && sourceMeta.xmp).toBeTruthy();

    const renditions = await renderRenditions(source, [
      { name: 'thumbnail', width: 50 },
      { name: 'web', width: 200, format: 'webp' },
      { name: 'lossless', width: 100, format: 'png' },
      { name: 'modern', width: 100, format: 'avif' },
    ]);
    for (const rendition of renditions) {
      const meta = await sharp(rendition.data).metadata();
      expect(meta.exif, rendition.name).toBeUndefined();
      expect(meta.icc, rendition.name).toBeUndefined();
      expect(meta.xmp, rendition.name).toBeUndefined();
      expect(meta.iptc, rendition.name).toBeUndefined();
      expect(rendition.data.includes('LeakyCam'), rendition.name).toBe(false);
    }
  });

  it('renders several specs from one decode, each to its own size and format', async () => {
    const source = await quadrantImage(1200, 800).jpeg().toBuffer();
    const renditions = await renderRenditions(source, [
      { name: 'thumbnail', width: 50 },
      { name: 'square', width: 75, height: 75, fit: 'cover', format: 'webp' },
      { name: 'large', width: 1024, format: 'png' },
      { name: 'huge', width: 5000 },
    ]);
    expect(
      renditions.map(({ name, format, width, height }) => [name, format, width, height]),
    ).toEqual([
      ['thumbnail', 'jpeg', 50, 33],
      ['square', 'webp', 75, 75],
      ['large', 'png', 1024, 683],
      ['huge', 'jpeg', 1200, 800],
    ]);
    for (const rendition of renditions) {
      expect((await sharp(rendition.data).metadata()).format).toBe(rendition.format);
    }
  });

  it.each(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const)(
    'accepts %s sources',
    async (format) => {
      const rendition = await thumbnail(await quadrantImage(120, 60).toFormat(format).toBuffer());
      expect([rendition.width, rendition.height]).toEqual([50, 25]);
    },
  );

  it.each([
    [4000, 3000],
    [333, 777],
    [1001, 999],
    [20, 10],
    [7, 3000],
  ])('renders a %i×%i source at the size renditionSize predicts', async (width, height) => {
    const rendition = await thumbnail(await solid(width, height, BLUE));
    expect({ width: rendition.width, height: rendition.height }).toEqual(
      renditionSize(THUMBNAIL_SPEC, width, height),
    );
  });
});
