// The Multi-Picture Format (CIPA DC-007) of JPEGs from phones and cameras:
// an APP2 `MPF\0` segment whose TIFF-structured index lists further images
// (depth maps, HDR gain maps, previews) stored after the first one, each a
// JPEG with its own EXIF, which may carry GPS too.

const MP_ENTRY = 0xb002;
const ENTRY_BYTES = 16;
/** More than any camera writes; a bound on a hostile index. */
const MAX_IMAGES = 64;

/**
 * Where the images an MPF segment lists start in the file, the first (the
 * primary image, offset 0) left out. Offsets in the index count from the
 * segment's TIFF header, which lies at `headerAt` in the file.
 *
 * @param index the segment's body after `MPF\0`: the TIFF header and what follows
 */
export function mpfImageOffsets(index: Uint8Array, headerAt: number): number[] {
  if (index.length < 8) return [];
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  const little = index[0] === 0x49 && index[1] === 0x49;
  if (!little && !(index[0] === 0x4d && index[1] === 0x4d)) return [];
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > index.length) return [];
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > index.length) return [];
    if (view.getUint16(entry, little) !== MP_ENTRY) continue;
    const bytes = view.getUint32(entry + 4, little);
    const at = bytes > 4 ? view.getUint32(entry + 8, little) : entry + 8;
    const images = Math.min(Math.floor(bytes / ENTRY_BYTES), MAX_IMAGES);
    const offsets: number[] = [];
    for (let image = 0; image < images; image++) {
      const field = at + image * ENTRY_BYTES + 8;
      if (field + 4 > index.length) break;
      const offset = view.getUint32(field, little);
      if (offset > 0) offsets.push(headerAt + offset);
    }
    return offsets;
  }
  return [];
}
