import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { crc32 } from 'node:zlib';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  type BytePatch,
  CorruptImageError,
  gpsPatches,
  patchChunk,
  probe,
  type ReadAt,
} from '../src/index.ts';
import { heicFixture } from './heic-fixtures.ts';
import { fixtureFiles, HAVE_FIXTURES } from './shared-fixtures.ts';

const readFrom =
  (bytes: Uint8Array): ReadAt =>
  async (offset, length) =>
    bytes.subarray(offset, offset + length);

const scrub = async (file: Buffer) => {
  const patches = await gpsPatches(readFrom(file), file.length);
  return { patches, copy: Buffer.from(patchChunk(file, 0, patches)) };
};

const EXIF = {
  IFD0: { Make: 'Acme', Model: 'One' },
  IFD3: {
    GPSLatitudeRef: 'N',
    GPSLatitude: '48/1 51/1 2400/100',
    GPSLongitudeRef: 'E',
    GPSLongitude: '2/1 21/1 300/100',
  },
};
const XMP = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 exif:GPSLatitude="48,51.4N" exif:GPSAltitude="35/1">
<exif:GPSLongitude>2,21.05E</exif:GPSLongitude>
<dc:format>image/jpeg</dc:format>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`;

const generated = (format: 'jpeg' | 'png' | 'webp' | 'avif') =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#369' } })
    .withExif(EXIF)
    .withXmp(XMP)
    .toFormat(format)
    .toBuffer();

/** Whatever an independent reader (libvips for the container, exif-reader for EXIF) finds. */
async function metadataOf(file: Buffer) {
  const meta = await sharp(file).metadata();
  const exif = meta.exif ? exifReader(meta.exif) : undefined;
  return { exif, xmp: meta.xmp?.toString('utf8') };
}

/** Every byte outside the patches is the original's. */
function expectOnlyPatchedBytesChanged(original: Buffer, copy: Buffer, patches: BytePatch[]) {
  expect(copy.length).toBe(original.length);
  const patched = new Uint8Array(original.length);
  for (const { offset, bytes } of patches) patched.fill(1, offset, offset + bytes.length);
  for (let i = 0; i < original.length; i++)
    if (!patched[i] && copy[i] !== original[i]) throw new Error(`byte ${i} changed`);
}

function expectValidPngCrcs(png: Buffer) {
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const body = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), body.subarray(0, 4).toString()).toBe(crc32(body));
    at += 12 + length;
  }
}

/**
 * A little-endian TIFF of 2 × 2 grey pixels whose IFD0 names a camera and
 * points to a GPS directory (48°51'24"N 2°21'3"E), as cameras write them.
 */
function tiffWithGps(): Buffer {
  const out = Buffer.alloc(256);
  out.write('II*\0', 0, 'latin1');
  out.writeUInt32LE(8, 4);
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 2], // ImageWidth
    [257, 3, 1, 2], // ImageLength
    [258, 3, 1, 8], // BitsPerSample
    [259, 3, 1, 1], // Compression: none
    [262, 3, 1, 1], // Photometric: black is zero
    [271, 2, 5, 200], // Make, at 200
    [273, 4, 1, 220], // StripOffsets
    [278, 3, 1, 2], // RowsPerStrip
    [279, 4, 1, 4], // StripByteCounts
    [0x8825, 4, 1, 136], // GPS directory, at 136
  ];
  const ifd = (at: number, list: [number, number, number, number][]) => {
    out.writeUInt16LE(list.length, at);
    list.forEach(([tag, type, count, value], i) => {
      const entry = at + 2 + i * 12;
      out.writeUInt16LE(tag, entry);
      out.writeUInt16LE(type, entry + 2);
      out.writeUInt32LE(count, entry + 4);
      if (type === 3 && count === 1) out.writeUInt16LE(value, entry + 8);
      else out.writeUInt32LE(value, entry + 8);
    });
    out.writeUInt32LE(0, at + 2 + list.length * 12);
  };
  ifd(8, entries);
  ifd(136, [
    [1, 2, 2, 0x4e], // GPSLatitudeRef "N"
    [2, 5, 3, 232], // GPSLatitude, at 232
    [3, 2, 2, 0x45], // GPSLongitudeRef "E"
  ]);
  out.write('Acme\0', 200, 'latin1');
  out.set([10, 60, 110, 160], 220);
  for (const [i, n] of [48, 1, 51, 1, 2400, 100].entries()) out.writeUInt32LE(n, 232 + i * 4);
  return out;
}

/**
 * `primary` with an MPF index (APP2) listing `secondary`, appended after it,
 * as phones store gain maps and depth maps.
 */
function withMpf(primary: Buffer, secondary: Buffer): Buffer {
  const index = Buffer.alloc(8 + 2 + 3 * 12 + 4 + 32);
  index.write('II*\0', 0, 'latin1');
  index.writeUInt32LE(8, 4);
  index.writeUInt16LE(3, 8);
  const entry = (i: number, tag: number, type: number, count: number, value: number) => {
    const at = 10 + i * 12;
    index.writeUInt16LE(tag, at);
    index.writeUInt16LE(type, at + 2);
    index.writeUInt32LE(count, at + 4);
    index.writeUInt32LE(value, at + 8);
  };
  entry(0, 0xb000, 7, 4, 0x30303130); // MPFVersion "0100"
  entry(1, 0xb001, 4, 1, 2); // NumberOfImages
  entry(2, 0xb002, 7, 32, 50); // MPEntry, at 50
  const segment = Buffer.concat([Buffer.from([0xff, 0xe2, 0, 0]), Buffer.from('MPF\0'), index]);
  segment.writeUInt16BE(segment.length - 2, 2);
  const headerAt = 2 + 4 + 4;
  const secondaryAt = 2 + segment.length + primary.length - 2;
  // The two 16-byte entries: attributes, size, offset (from the index's TIFF header), dependents.
  const entries = segment.subarray(8 + 50);
  entries.writeUInt32LE(0x030000, 0);
  entries.writeUInt32LE(secondaryAt, 4);
  entries.writeUInt32LE(0, 8);
  entries.writeUInt32LE(0, 16);
  entries.writeUInt32LE(secondary.length, 20);
  entries.writeUInt32LE(secondaryAt - headerAt, 24);
  return Buffer.concat([primary.subarray(0, 2), segment, primary.subarray(2), secondary]);
}

describe('gpsPatches', () => {
  it.each(['jpeg', 'png', 'webp', 'avif'] as const)(
    'blanks the EXIF and XMP GPS of a %s, and nothing else',
    async (format) => {
      const original = await generated(format);
      expect((await metadataOf(original)).exif?.GPSInfo?.GPSLatitude).toEqual([48, 51, 24]);
      const { patches, copy } = await scrub(original);
      expectOnlyPatchedBytesChanged(original, copy, patches);

      const { exif, xmp } = await metadataOf(copy);
      expect(exif?.GPSInfo ?? {}).toEqual({});
      expect(exif?.Image?.Make).toBe('Acme');
      if (xmp !== undefined) {
        expect(xmp).not.toMatch(/GPS/);
        expect(xmp).toContain('<dc:format>image/jpeg</dc:format>');
      }
      // The pixels are untouched: the copy decodes to the same image.
      const pixels = (file: Buffer) => sharp(file).raw().toBuffer();
      expect((await pixels(copy)).equals(await pixels(original))).toBe(true);
      if (format === 'png') expectValidPngCrcs(copy);
    },
  );

  it('blanks uncompressed XMP in a PNG iTXt chunk in place, and refuses compressed XMP it cannot read', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const withChunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const chunk = Buffer.alloc(body.length + 8);
      chunk.writeUInt32BE(data.length, 0);
      body.copy(chunk, 4);
      chunk.writeUInt32BE(crc32(body), body.length + 4);
      // After IHDR (8-byte signature + 25-byte IHDR chunk).
      return Buffer.concat([plain.subarray(0, 33), chunk, plain.subarray(33)]);
    };
    const keyword = Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1');
    const png = withChunk('iTXt', Buffer.concat([keyword, Buffer.from(XMP)]));
    const { patches, copy } = await scrub(png);
    expectOnlyPatchedBytesChanged(png, copy, patches);
    expectValidPngCrcs(copy);
    const xmp = (await metadataOf(copy)).xmp ?? '';
    expect(xmp).not.toMatch(/GPS/);
    expect(xmp).toContain('<dc:format>image/jpeg</dc:format>');

    const garbled = withChunk(
      'zTXt',
      Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0'), Buffer.from('not deflate')]),
    );
    await expect(gpsPatches(readFrom(garbled), garbled.length)).rejects.toThrow(CorruptImageError);
  });

  it('empties the GPS of a HEIC’s Exif item (written by exiftool)', async () => {
    const heic = await readFile(heicFixture('lake-exif-p3.heic'));
    expect((await probe(heic)).gps).toBeDefined();
    const { patches, copy } = await scrub(heic);
    expectOnlyPatchedBytesChanged(heic, copy, patches);
    const after = await probe(copy);
    expect(after.gps).toBeUndefined();
    expect(after.camera).toEqual((await probe(heic)).camera);
  });

  it('empties the GPS directory of a TIFF file itself', async () => {
    const tiff = tiffWithGps();
    expect(exifReader(tiff).GPSInfo?.GPSLatitude).toEqual([48, 51, 24]);
    const { patches, copy } = await scrub(tiff);
    expectOnlyPatchedBytesChanged(tiff, copy, patches);
    expect(exifReader(copy).GPSInfo ?? {}).toEqual({});
    expect(exifReader(copy).Image?.Make).toBe('Acme');
    const pixels = (file: Buffer) => sharp(file).raw().toBuffer();
    expect((await pixels(copy)).equals(await pixels(tiff))).toBe(true);
  });

  it('empties the GPS of the further images a JPEG’s MPF index lists (gain maps, depth maps)', async () => {
    const primary = await sharp({
      create: { width: 32, height: 32, channels: 3, background: '#123' },
    })
      .withExif({ IFD0: { Make: 'Acme' } })
      .jpeg()
      .toBuffer();
    const secondary = await generated('jpeg');
    const jpeg = withMpf(primary, secondary);
    const { patches, copy } = await scrub(jpeg);
    expectOnlyPatchedBytesChanged(jpeg, copy, patches);
    const further = copy.subarray(jpeg.length - secondary.length);
    expect((await metadataOf(secondary)).exif?.GPSInfo?.GPSLatitude).toBeDefined();
    expect((await metadataOf(further)).exif?.GPSInfo ?? {}).toEqual({});
    expect((await metadataOf(further)).xmp ?? '').not.toMatch(/GPS/);
    expect(await sharp(copy).raw().toBuffer()).toEqual(await sharp(jpeg).raw().toBuffer());
  });

  it('finds nothing to change in a file without GPS', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .withExif({ IFD0: { Make: 'Acme' } })
      .jpeg()
      .toBuffer();
    expect(await gpsPatches(readFrom(plain), plain.length)).toEqual([]);
  });

  it('patches a chunk of a file where the patches reach into it', () => {
    const patches = [{ offset: 3, bytes: new Uint8Array([9, 9, 9]) }];
    const chunk = new Uint8Array([1, 2, 3]);
    expect([...patchChunk(chunk, 2, patches)]).toEqual([1, 9, 9]);
    expect(patchChunk(chunk, 6, patches)).toBe(chunk);
  });
});

const cameras = (await fixtureFiles('cameras')).filter((path) =>
  /^(gps__|tests__45|xmp__|mobile__|Canon_40D)/.test(basename(path)),
);

describe.skipIf(!HAVE_FIXTURES)('gpsPatches on real photos from ../shared/fixtures', () => {
  it.each(cameras.map((path) => [basename(path), path]))('%s', async (_name, path) => {
    const original = await readFile(path);
    const { patches, copy } = await scrub(original);
    expectOnlyPatchedBytesChanged(original, copy, patches);
    const before = await metadataOf(original);
    const after = await metadataOf(copy);
    expect(after.exif?.GPSInfo ?? {}).toEqual({});
    expect(after.xmp ?? '').not.toMatch(/:GPS/i);
    expect(after.exif?.Image).toEqual(before.exif?.Image);
    if (before.exif?.GPSInfo?.GPSLatitude) expect(patches.length).toBeGreaterThan(0);
  });
});
