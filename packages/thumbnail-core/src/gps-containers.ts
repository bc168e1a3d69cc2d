// The containers that carry an EXIF block or an XMP packet as one piece of
// the file: JPEG segments, PNG chunks, WebP (RIFF) chunks. Each walker reads
// headers only, and the bodies of the pieces that may hold GPS.

import { crc32, inflateSync } from 'node:zlib';
import { type BytePatch, patchChunk, type ReadAt, readFrom, shifted } from './byte-patch.ts';
import { CorruptImageError } from './errors.ts';
import { mpfImageOffsets } from './jpeg-mpf.ts';
import { tiffGpsPatches } from './tiff-gps.ts';
import { xmpGpsPatches } from './xmp-gps.ts';

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);

const EXIF_HEADER = 'Exif\0\0';
const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';
const MPF_HEADER = 'MPF\0';
/** Extended XMP: the signature, a 32-byte GUID, the full length and this part's offset. */
const EXTENDED_XMP_HEADER = 'http://ns.adobe.com/xmp/extension/\0';
const EXTENDED_XMP_PREAMBLE = EXTENDED_XMP_HEADER.length + 32 + 4 + 4;
const MAX_BLOCK_BYTES = 16 * 2 ** 20;

/**
 * The GPS patches of an EXIF block (a TIFF structure) held in memory at
 * `offset`. Some PNG and WebP writers keep the JPEG segment's `Exif\0\0`
 * before the TIFF header.
 */
async function exifPatches(block: Uint8Array, offset: number): Promise<BytePatch[]> {
  const skip = ascii(block, 0, 6) === EXIF_HEADER ? 6 : 0;
  const tiff = block.subarray(skip);
  return shifted(await tiffGpsPatches(readFrom(tiff), 0, tiff.length), offset + skip);
}

/**
 * GPS in a JPEG's APP1 segments (EXIF, XMP and extended XMP, up to the first
 * scan), and in those of the further images its MPF index lists.
 *
 * @param start where the JPEG starts in the file: a further image's offset
 */
export async function jpegGpsPatches(
  readAt: ReadAt,
  size: number,
  start = 0,
): Promise<BytePatch[]> {
  const patches: BytePatch[] = [];
  const further: number[] = [];
  let at = start + 2;
  while (at + 4 <= size) {
    const header = await readAt(at, 4);
    if (header[0] !== 0xff) break;
    const marker = header[1] as number;
    // Fill bytes, and markers that stand alone without a length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    // Start of scan or end of image: the metadata segments are behind us.
    if (marker === 0xda || marker === 0xd9) break;
    const length = ((header[2] as number) << 8) | (header[3] as number);
    if (length < 2) break;
    const bodyAt = at + 4;
    if (marker === 0xe1) {
      const body = await readAt(bodyAt, length - 2);
      if (ascii(body, 0, 6) === EXIF_HEADER) patches.push(...(await exifPatches(body, bodyAt)));
      else if (ascii(body, 0, XMP_HEADER.length) === XMP_HEADER)
        patches.push(
          ...xmpGpsPatches(body.subarray(XMP_HEADER.length), bodyAt + XMP_HEADER.length),
        );
      else if (ascii(body, 0, EXTENDED_XMP_HEADER.length) === EXTENDED_XMP_HEADER)
        patches.push(
          ...xmpGpsPatches(body.subarray(EXTENDED_XMP_PREAMBLE), bodyAt + EXTENDED_XMP_PREAMBLE),
        );
    } else if (marker === 0xe2 && start === 0) {
      // Only the primary image's index counts: a further image's own is not followed.
      const body = await readAt(bodyAt, length - 2);
      if (ascii(body, 0, 4) === MPF_HEADER)
        further.push(...mpfImageOffsets(body.subarray(4), bodyAt + 4));
    }
    at += 2 + length;
  }
  for (const image of further) {
    const soi = await readAt(image, 2);
    if (image > start && image + 2 <= size && soi[0] === 0xff && soi[1] === 0xd8)
      patches.push(...(await jpegGpsPatches(readAt, size, image)));
  }
  return patches;
}

/**
 * GPS in a PNG's `eXIf` chunk and its XMP (`iTXt` or `zTXt`, keyword
 * `XML:com.adobe.xmp`). A patched chunk gets its CRC recomputed, one more
 * patch of four bytes. Compressed XMP (libvips writes it so) cannot be edited
 * in place: when it holds GPS, the whole chunk is blanked and renamed to a
 * private ancillary type that every decoder skips, which drops its other
 * properties too.
 */
export async function pngGpsPatches(readAt: ReadAt, size: number): Promise<BytePatch[]> {
  const patches: BytePatch[] = [];
  let at = 8;
  while (at + 12 <= size) {
    const header = await readAt(at, 8);
    const length = Buffer.from(header).readUInt32BE(0);
    const type = ascii(header, 4, 8);
    const start = at + 8;
    if (start + length + 4 > size || type === 'IEND') break;
    if (['eXIf', 'iTXt', 'zTXt'].includes(type) && length <= MAX_BLOCK_BYTES) {
      const data = await readAt(start, length);
      const found =
        type === 'eXIf'
          ? await exifPatches(data, start)
          : xmpChunkPatches(type as 'iTXt' | 'zTXt', data, start);
      if (found === 'blank') {
        const renamed = Buffer.from(BLANKED_CHUNK, 'latin1');
        const zeros = new Uint8Array(length);
        patches.push({ offset: at + 4, bytes: renamed }, { offset: start, bytes: zeros });
        patches.push({ offset: start + length, bytes: crcOf(renamed, zeros) });
      } else if (found.length > 0) {
        const patched = patchChunk(data, start, found);
        patches.push(...found, {
          offset: start + length,
          bytes: crcOf(header.subarray(4, 8), patched),
        });
      }
    }
    at = start + length + 4;
  }
  return patches;
}

/** What a PNG chunk holding GPS in compressed XMP becomes: ancillary, private, unknown to all. */
const BLANKED_CHUNK = 'gpSx';
const MAX_XMP_BYTES = 16 * 2 ** 20;

const crcOf = (type: Uint8Array, data: Uint8Array) => {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(type)));
  return crc;
};

/**
 * The GPS patches of a PNG text chunk that holds XMP, or `blank` when its
 * XMP is compressed and holds GPS. `iTXt`: keyword, NUL, compression flag and
 * method, language, NUL, translated keyword, NUL, text; `zTXt`: keyword,
 * NUL, method, compressed text.
 */
function xmpChunkPatches(
  type: 'iTXt' | 'zTXt',
  data: Uint8Array,
  start: number,
): BytePatch[] | 'blank' {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 0 || ascii(data, 0, keywordEnd) !== 'XML:com.adobe.xmp') return [];
  let textAt = keywordEnd + 2;
  let compressed = true;
  if (type === 'iTXt') {
    compressed = data[keywordEnd + 1] === 1;
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
    if (translatedEnd < 0) return [];
    textAt = translatedEnd + 1;
  }
  const text = data.subarray(textAt);
  if (!compressed) return xmpGpsPatches(text, start + textAt);
  let xmp: Buffer;
  try {
    xmp = inflateSync(text, { maxOutputLength: MAX_XMP_BYTES });
  } catch (cause) {
    throw new CorruptImageError('Cannot read the compressed XMP of a PNG', { cause });
  }
  return xmpGpsPatches(xmp, 0).length > 0 ? 'blank' : [];
}

/** GPS in a WebP's `EXIF` and `XMP ` chunks. */
export async function webpGpsPatches(readAt: ReadAt, size: number): Promise<BytePatch[]> {
  const riff = Buffer.from(await readAt(0, 12));
  const end = Math.min(size, 8 + riff.readUInt32LE(4));
  const patches: BytePatch[] = [];
  let at = 12;
  while (at + 8 <= end) {
    const header = Buffer.from(await readAt(at, 8));
    const type = ascii(header, 0, 4);
    const length = header.readUInt32LE(4);
    const start = at + 8;
    if (start + length > end) break;
    if ((type === 'EXIF' || type === 'XMP ') && length <= MAX_BLOCK_BYTES) {
      const data = await readAt(start, length);
      if (type === 'XMP ') patches.push(...xmpGpsPatches(data, start));
      else patches.push(...(await exifPatches(data, start)));
    }
    // Chunks are padded to an even length.
    at = start + length + (length & 1);
  }
  return patches;
}
