import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  CorruptImageError,
  placeholder,
  probe,
  probeHead,
  renderRenditions,
  ThumbnailError,
} from '../src/index.ts';
import { quadrantImage, twoFrameGif } from './generate.ts';
import { heicFixture } from './heic-fixtures.ts';

const OPERATIONS = {
  probe: (input: Buffer) => probe(input),
  renderRenditions: (input: Buffer) => renderRenditions(input),
  'renderRenditions, two sizes': (input: Buffer) =>
    renderRenditions(input, [
      { name: 'small', width: 20 },
      { name: 'large', width: 200 },
    ]),
  placeholder: (input: Buffer) => placeholder(input),
} as const;

/** Runs every public operation on the input: each must succeed or fail with a ThumbnailError. */
async function outcomes(input: Buffer): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const [name, operation] of Object.entries(OPERATIONS)) {
    results[name] = await operation(input).then(
      () => 'ok',
      (error: unknown) => error,
    );
  }
  return results;
}

/** A copy of a GIF whose image data after the `frame`-th image descriptor is garbage. */
async function gifWithBrokenFrame(frame: number): Promise<Buffer> {
  const gif = Buffer.from(await twoFrameGif(30, 20));
  const descriptors: number[] = [];
  // Past the header and global colour table (13 + 2 colours × 3 bytes at most 768).
  for (let at = gif.indexOf(0x2c, 13); at !== -1; at = gif.indexOf(0x2c, at + 10)) {
    descriptors.push(at);
  }
  const at = descriptors[frame] as number;
  gif[at + 10] = 0x0f; // an LZW minimum code size no decoder accepts
  gif.fill(0xff, at + 11, Math.min(at + 40, gif.length - 1));
  return gif;
}

describe('every decoder failure is a ThumbnailError, with its cause', () => {
  it('a GIF whose first frame does not decode', async () => {
    const results = await outcomes(await gifWithBrokenFrame(0));
    for (const error of Object.values(results)) {
      expect(error).toBeInstanceOf(CorruptImageError);
      expect((error as Error).message).toMatch(/^Cannot decode GIF image: /);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
  });

  it('a GIF whose later frame does not decode renders its first', async () => {
    const results = await outcomes(await gifWithBrokenFrame(1));
    for (const outcome of Object.values(results)) {
      if (outcome !== 'ok') expect(outcome).toBeInstanceOf(ThumbnailError);
    }
    expect(results.renderRenditions).toBe('ok');
  });

  it('a JPEG with garbage EXIF: probed without EXIF fields, rendered', async () => {
    const photo = await quadrantImage(64, 48).jpeg().toBuffer();
    const garbage = Buffer.concat([
      Buffer.from('Exif\0\0MM\0\x2a\0\0\0\x08', 'latin1'),
      Buffer.alloc(64, 0xee),
    ]);
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, garbage.length + 2]), garbage]);
    const input = Buffer.concat([photo.subarray(0, 2), app1, photo.subarray(2)]);
    expect(await outcomes(input)).toEqual({
      probe: 'ok',
      renderRenditions: 'ok',
      'renderRenditions, two sizes': 'ok',
      placeholder: 'ok',
    });
    const info = await probe(input);
    expect(info).not.toHaveProperty('capturedAt');
    expect(info).not.toHaveProperty('camera');
  });

  it('a HEIC with garbage EXIF: probed without EXIF fields, rendered', async () => {
    const heic = await readFile(heicFixture('lake-exif-p3.heic'));
    const input = Buffer.from(heic);
    // The Exif item: heif-enc writes a zero offset, then the TIFF header.
    const tiff = input.indexOf(Buffer.from('MM\0\x2a', 'latin1'));
    expect(tiff).toBeGreaterThan(0);
    input.fill(0xee, tiff + 4, tiff + 70);
    expect(await outcomes(input)).toMatchObject({ probe: 'ok', renderRenditions: 'ok' });
    const info = await probe(input);
    expect(info).toMatchObject({ format: 'heic', width: 600 });
    expect(info).not.toHaveProperty('capturedAt');
  });

  it('a HEIC whose boxes are broken', async () => {
    const heic = await readFile(heicFixture('portrait-irot.heic'));
    for (const box of ['meta', 'iloc', 'ipma', 'ispe', 'pitm']) {
      const input = Buffer.from(heic);
      const at = input.indexOf(box, 0, 'latin1');
      input.writeUInt32BE(0xfffffff0, at - 4); // a size that overruns everything
      for (const [name, outcome] of Object.entries(await outcomes(input))) {
        expect(outcome, `${box}: ${name}`).toBeInstanceOf(CorruptImageError);
        expect((outcome as Error).message).toMatch(/HEI[CF]/);
      }
      expect(await probeHead(input)).toBeUndefined();
    }
  });
});
