import { UnsupportedFormatError } from './errors.ts';

/** The source formats thumbnail-core accepts. */
export type SourceFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif' | 'heic';

/** Every accepted source format, in the order they are documented. */
export const SOURCE_FORMATS: readonly SourceFormat[] = [
  'jpeg',
  'png',
  'gif',
  'webp',
  'tiff',
  'avif',
  'heic',
];

const ascii = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...bytes.subarray(start, end));

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  signature.every((byte, i) => bytes[offset + i] === byte);

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/**
 * Tells the format from the file's magic bytes. Only allow-listed raster
 * formats pass: anything else is refused here, before any decoder (and in
 * particular any SVG/XML parser) sees it.
 *
 * @throws {UnsupportedFormatError} when the bytes are not an accepted format.
 */
export function detectFormat(head: Uint8Array): SourceFormat {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || // little-endian TIFF
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) || // big-endian TIFF
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) // BigTIFF
  ) {
    return 'tiff';
  }
  if (ascii(head, 4, 8) === 'ftyp') {
    const heif = heifFamily(head);
    if (heif) return heif;
  }
  const detected = describeRefused(head);
  throw new UnsupportedFormatError(
    detected === 'svg'
      ? 'SVG images are not accepted: upload a raster image (JPEG, PNG, WebP, GIF, AVIF, TIFF or HEIC)'
      : `Not a supported image (${detected}): accepted formats are JPEG, PNG, WebP, GIF, AVIF, TIFF and HEIC`,
    detected,
  );
}

/** Reads the ISO BMFF `ftyp` box: the major brand, then the compatible brands. */
function heifFamily(head: Uint8Array): 'avif' | 'heic' | undefined {
  const boxSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  const brands = [ascii(head, 8, 12)];
  for (let offset = 16; offset + 4 <= Math.min(boxSize, head.length); offset += 4) {
    brands.push(ascii(head, offset, offset + 4));
  }
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'heic';
  return undefined;
}

function describeRefused(head: Uint8Array): string {
  if (head.length === 0) return 'empty file';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('%PDF')) return 'pdf';
  if (/^<(\?xml|svg|!DOCTYPE svg)/i.test(trimmed) || /<svg[\s>]/i.test(trimmed)) return 'svg';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip data, possibly SVGZ';
  if (ascii(head, 4, 8) === 'ftyp') return `ISO media, brand ${ascii(head, 8, 12).trim()}`;
  // Mostly printable bytes: a text file, perhaps one renamed to .jpg.
  const printable = head.filter(
    (byte) => byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127),
  );
  if (printable.length / head.length > 0.9) return 'text';
  return 'unknown binary data';
}
