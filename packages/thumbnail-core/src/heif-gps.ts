// GPS in HEIC and AVIF files: the `Exif` item (a 4-byte offset to the TIFF
// header, then the EXIF block) and XMP, stored as a `mime` item.

import type { BytePatch, ReadAt } from './byte-patch.ts';
import { readFrom, shifted } from './byte-patch.ts';
import { parseHeifMeta } from './heif-meta.ts';
import { boxAt, heifCorrupt } from './iso-bmff.ts';
import { tiffGpsPatches } from './tiff-gps.ts';
import { xmpGpsPatches } from './xmp-gps.ts';

const MAX_META_BYTES = 64 * 2 ** 20;
const MAX_ITEM_BYTES = 16 * 2 ** 20;

export async function heifGpsPatches(readAt: ReadAt, size: number): Promise<BytePatch[]> {
  let at = 0;
  while (at + 8 <= size) {
    const box = boxAt(await readAt(at, 16), 0, size - at);
    if (!box) break;
    if (box.type === 'meta') {
      if (box.end > MAX_META_BYTES) throw heifCorrupt('meta box too large');
      const bytes = await readAt(at, box.end);
      const meta = parseHeifMeta(bytes, box, at);
      const patches: BytePatch[] = [];
      for (const [id, type] of meta.itemTypes) {
        if (type !== 'Exif' && type !== 'mime') continue;
        const extents = meta.locations.get(id) ?? [];
        if (extents.length === 0) continue;
        if (extents.length > 1) throw heifCorrupt(`item ${id} (${type}) is stored in pieces`);
        const { offset, length } = extents[0] as { offset: number; length: number };
        if (length > MAX_ITEM_BYTES || offset + length > size) continue;
        const data = await readAt(offset, length);
        if (type === 'mime') patches.push(...xmpGpsPatches(data, offset));
        else if (data.length >= 4) {
          const tiffAt = 4 + Buffer.from(data).readUInt32BE(0);
          const tiff = data.subarray(tiffAt);
          patches.push(
            ...shifted(await tiffGpsPatches(readFrom(tiff), 0, tiff.length), offset + tiffAt),
          );
        }
      }
      return patches;
    }
    at += box.end;
  }
  return [];
}
