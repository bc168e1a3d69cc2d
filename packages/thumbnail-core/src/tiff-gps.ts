import type { BytePatch, ReadAt } from './byte-patch.ts';
import { CorruptImageError } from './errors.ts';
import { xmpGpsPatches } from './xmp-gps.ts';

const GPS_IFD_POINTER = 0x8825;
const XMP_TAG = 0x02bc;
/** Bytes per value of each TIFF field type; types not listed are skipped. */
const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};
/** More than any camera writes; a bound on what a hostile file makes us read. */
const MAX_ENTRIES = 1024;
const MAX_XMP_BYTES = 16 * 2 ** 20;

/**
 * Patches that empty the GPS directory of a TIFF structure: an EXIF block
 * (which is one) or a TIFF file. The directory's entry count, entries and
 * next-directory link are zeroed, and so is each value stored outside its
 * entry, so a reader finds a GPS directory with no fields; IFD0's pointer to
 * it stays, and nothing moves. An XMP packet in IFD0 (tag 700) is blanked too.
 *
 * @param base where the TIFF header lies in the file; offsets inside count from it
 * @param length the TIFF structure's length: nothing outside it is read or patched
 */
export async function tiffGpsPatches(
  readAt: ReadAt,
  base: number,
  length: number,
): Promise<BytePatch[]> {
  const header = await readAt(base, 8);
  if (header.length < 8) return [];
  const little = header[0] === 0x49 && header[1] === 0x49;
  if (!little && !(header[0] === 0x4d && header[1] === 0x4d)) return [];
  const view = (bytes: Uint8Array) =>
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view(header).getUint16(2, little);
  if (magic === 43) throw new CorruptImageError('BigTIFF files cannot be cleared of GPS fields');
  if (magic !== 42) return [];

  /** The entries of the directory at `at`: tag, type, count and the value field's offset. */
  const directory = async (at: number) => {
    if (at < 8 || at + 2 > length) return undefined;
    const count = view(await readAt(base + at, 2)).getUint16(0, little);
    if (count > MAX_ENTRIES || at + 2 + count * 12 + 4 > length) return undefined;
    const bytes = await readAt(base + at + 2, count * 12);
    const entries = Array.from({ length: count }, (_, i) => {
      const fields = view(bytes.subarray(i * 12, i * 12 + 12));
      const type = fields.getUint16(2, little);
      const valueCount = fields.getUint32(4, little);
      const size = (TYPE_SIZES[type] ?? 0) * valueCount;
      // Values of up to four bytes sit in the entry itself; longer ones at an offset.
      const valueAt = size > 4 ? fields.getUint32(8, little) : at + 2 + i * 12 + 8;
      return { tag: fields.getUint16(0, little), size, valueAt };
    });
    return { at, count, entries };
  };
  const zeros = (at: number, size: number): BytePatch | undefined =>
    at >= 0 && size > 0 && at + size <= length
      ? { offset: base + at, bytes: new Uint8Array(size) }
      : undefined;

  const ifd0 = await directory(view(header).getUint32(4, little));
  if (!ifd0) return [];
  const patches: BytePatch[] = [];
  const xmp = ifd0.entries.find(({ tag }) => tag === XMP_TAG);
  if (xmp && xmp.size <= MAX_XMP_BYTES && xmp.valueAt + xmp.size <= length)
    patches.push(...xmpGpsPatches(await readAt(base + xmp.valueAt, xmp.size), base + xmp.valueAt));
  const pointer = ifd0.entries.find(({ tag }) => tag === GPS_IFD_POINTER);
  if (!pointer) return patches;
  const pointerField = view(await readAt(base + pointer.valueAt, 4));
  const gps = await directory(pointerField.getUint32(0, little));
  if (!gps) return patches;
  for (const entry of gps.entries) {
    if (entry.size > 4) {
      const value = zeros(entry.valueAt, entry.size);
      if (value) patches.push(value);
    }
  }
  patches.push(zeros(gps.at, 2 + gps.count * 12 + 4) as BytePatch);
  return patches;
}
