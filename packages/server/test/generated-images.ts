// Images (and things that only look like images) generated at test time.
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * A valid PNG of random noise, stored uncompressed: about width × height × 3
 * bytes, big enough to need many tus chunks, cheap to make and to decode.
 */
export function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/**
 * A PNG whose header reads (the pivot accepts it) and whose pixel data is
 * damaged midway, failing its CRC: no decoder renders it. Truncated JPEGs no
 * longer do this: they render what arrived, as browsers show them.
 */
export async function brokenPixelsPng(seed: number): Promise<Buffer> {
  const png = Buffer.from(await noisePng(64 + seed, 48));
  png.fill(0, Math.floor(png.length / 2), Math.floor(png.length / 2) + 64);
  return png;
}

/**
 * A decompression bomb: a valid PNG header declaring width × height pixels,
 * followed by a few kilobytes of compressed zeros. Decoding it would need
 * gigabytes; refusing it needs only the header. (A copy of thumbnail-core's
 * test generator: packages do not import each other's tests.)
 */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  // 64 rows of zeros (a filter byte per row): the rest of the image never arrives.
  const rows = deflateSync(Buffer.alloc((width + 1) * 64), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small SVG: an image to a browser, a script-carrying XML document to a server. */
export const SVG = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">' +
    '<script>alert(1)</script><rect width="64" height="64" fill="red"/></svg>\n',
);

/** Where {@link photoWithGps} says it was taken: Paris, 48°51'24"N 2°21'3"E. */
export const GPS_POSITION = { latitude: 48.8566667, longitude: 2.3508333 };

/**
 * A photo as a phone writes one: camera, capture time and GPS in EXIF, and
 * GPS in XMP too, in any format sharp writes; each seed makes another file.
 */
export function photoWithGps(
  seed: number,
  format: 'jpeg' | 'png' | 'webp' | 'avif' = 'jpeg',
): Promise<Buffer> {
  return sharp({
    create: { width: 96, height: 64, channels: 3, background: { r: seed % 256, g: 80, b: 160 } },
  })
    .withExif({
      // The seed in the EXIF too: flat colours a few apart can encode to the same pixels.
      IFD0: { Make: 'Acme', Model: 'Phone', ImageDescription: `photo ${seed}` },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 2400/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 21/1 300/100',
      },
    })
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
        '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.4N"' +
        ' exif:GPSLongitude="2,21.05E"/></rdf:RDF></x:xmpmeta>',
    )
    .toFormat(format)
    .toBuffer();
}
