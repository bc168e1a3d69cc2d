import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jpegHeaderLength, probe, probeHead } from '../src/index.ts';
import { orientedJpeg, quadrantImage } from './generate.ts';
import { fixtureFiles, HAVE_FIXTURES } from './shared-fixtures.ts';

const exifJpeg = () =>
  quadrantImage(640, 480)
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'Nikon', Model: 'D850' },
      IFD2: { DateTimeOriginal: '2024:07:14 18:30:05' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' },
    })
    .toBuffer();

describe('probeHead', () => {
  it('reads from the header alone what probe reads from the whole JPEG', async () => {
    const photo = await exifJpeg();
    const length = jpegHeaderLength(photo) as number;
    expect(length).toBeGreaterThan(100);
    expect(length).toBeLessThan(photo.length / 2);
    const early = await probeHead(photo.subarray(0, length));
    expect(early).toEqual(await probe(photo));
    expect(early).toMatchObject({ camera: { make: 'Nikon', model: 'D850' }, width: 640 });
    const rotated = await orientedJpeg(200, 100, 6);
    expect(await probeHead(rotated.subarray(0, jpegHeaderLength(rotated)))).toEqual(
      await probe(rotated),
    );
  });

  it('declines bytes that end inside the header, and anything but a JPEG', async () => {
    const photo = await exifJpeg();
    const length = jpegHeaderLength(photo) as number;
    expect(jpegHeaderLength(photo.subarray(0, length - 1))).toBeUndefined();
    expect(await probeHead(photo.subarray(0, length - 1))).toBeUndefined();
    expect(await probeHead(photo.subarray(0, 20))).toBeUndefined();
    expect(await probeHead(await quadrantImage(64, 48).png().toBuffer())).toBeUndefined();
    expect(await probeHead(Buffer.from('not an image at all, just text'))).toBeUndefined();
  });

  it('declines a header libjpeg refuses, so the whole file gives the error', async () => {
    const photo = Buffer.from(await exifJpeg());
    const length = jpegHeaderLength(photo) as number;
    // The frame header's precision byte: 7 bits is not a JPEG libjpeg decodes.
    const sof = photo.indexOf(Buffer.from([0xff, 0xc0]));
    photo[sof + 4] = 7;
    expect(await probeHead(photo.subarray(0, length))).toBeUndefined();
    await expect(probe(photo)).rejects.toThrow(/JPEG/);
  });
});

const jpegs = [...(await fixtureFiles('cameras')), ...(await fixtureFiles('orientation'))].filter(
  (path) => /\.jpe?g$/i.test(path),
);

describe.skipIf(!HAVE_FIXTURES)('probeHead on real photographs from ../shared/fixtures', () => {
  it.each(jpegs.map((path) => [basename(path), path]))(
    '%s: the first 256 KiB probe as the whole file does',
    async (_name, path) => {
      const file = await readFile(path);
      const early = await probeHead(file.subarray(0, 256 * 1024));
      expect(early).toBeDefined();
      expect(early).toEqual(await probe(path));
    },
  );
});
