import { describe, expect, it } from 'vitest';
import { placeholder, probe } from '../src/index.ts';
import { halfTransparentPng, orientedJpeg, quadrantImage, twoFrameGif } from './generate.ts';

describe('probe', () => {
  it('reads size and orientation, and the displayed size after it', async () => {
    expect(await probe(await orientedJpeg(200, 100, 6))).toMatchObject({
      format: 'jpeg',
      width: 100,
      height: 200,
      orientation: 6,
      displayWidth: 200,
      displayHeight: 100,
      hasAlpha: false,
      animated: false,
      frames: 1,
    });
  });

  it('reads capture time, camera and GPS position from EXIF', async () => {
    const photo = await quadrantImage(64, 48)
      .jpeg()
      .withExif({
        IFD0: { Make: 'Nikon\0\0', Model: 'D850 ' },
        IFD2: {
          DateTimeOriginal: '2024:07:14 18:30:05',
          OffsetTimeOriginal: '+02:00',
          LensModel: '50mm f/1.8',
        },
        IFD3: {
          GPSLatitudeRef: 'S',
          GPSLatitude: '33/1 51/1 5400/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '151/1 12/1 3600/100',
          GPSAltitudeRef: '0',
          GPSAltitude: '58/1',
        },
      })
      .toBuffer();
    expect(await probe(photo)).toMatchObject({
      capturedAt: '2024-07-14T18:30:05+02:00',
      camera: { make: 'Nikon', model: 'D850', lens: '50mm f/1.8' },
      gps: {
        latitude: expect.closeTo(-(33 + 51 / 60 + 54 / 3600), 6),
        longitude: expect.closeTo(151 + 12 / 60 + 36 / 3600, 6),
        altitude: 58,
      },
    });
  });

  it('leaves out EXIF fields a photo does not have', async () => {
    const result = await probe(await quadrantImage(64, 48).png().toBuffer());
    expect(result).not.toHaveProperty('capturedAt');
    expect(result).not.toHaveProperty('camera');
    expect(result).not.toHaveProperty('gps');
  });

  it('reports alpha and animation', async () => {
    expect(await probe(await halfTransparentPng(10, 10))).toMatchObject({
      format: 'png',
      hasAlpha: true,
    });
    expect(await probe(await twoFrameGif(30, 20))).toMatchObject({
      format: 'gif',
      width: 30,
      height: 20,
      animated: true,
      frames: 2,
    });
  });

  it('reports the colour space and bit depth family', async () => {
    const cmyk = await quadrantImage(32, 32).toColourspace('cmyk').jpeg().toBuffer();
    const deep = await quadrantImage(32, 32).toColourspace('rgb16').png().toBuffer();
    expect((await probe(cmyk)).colorSpace).toBe('cmyk');
    expect((await probe(deep)).colorSpace).toBe('rgb16');
  });
});

describe('placeholder', () => {
  it('encodes a ThumbHash of about 30 bytes', async () => {
    const hash = await placeholder(await quadrantImage(400, 300).jpeg().toBuffer());
    const bytes = Buffer.from(hash, 'base64');
    expect(bytes.length).toBeGreaterThanOrEqual(20);
    expect(bytes.length).toBeLessThanOrEqual(35);
  });

  it('differs between different pictures and is stable for the same one', async () => {
    const a = await quadrantImage(400, 300).jpeg().toBuffer();
    const b = await halfTransparentPng(400, 300);
    expect(await placeholder(a)).toBe(await placeholder(a));
    expect(await placeholder(a)).not.toBe(await placeholder(b));
  });
});
