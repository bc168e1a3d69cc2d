import type { BytePatch, ReadAt } from './byte-patch.ts';
import { jpegGpsPatches, pngGpsPatches, webpGpsPatches } from './gps-containers.ts';
import { heifGpsPatches } from './heif-gps.ts';
import { detectFormat } from './source-format.ts';
import { tiffGpsPatches } from './tiff-gps.ts';

/**
 * Where an image file holds GPS fields, as patches that blank them in place:
 * the EXIF GPS directory (entries, values and count zeroed, so readers find
 * an empty directory) and XMP properties whose name starts with `GPS` (spaces,
 * which keep the XML well formed). A patched file has the original's length
 * and every other byte of it, so a copy is served from the original's bytes
 * and offsets, Range requests included, without decoding or re-encoding it.
 *
 * Covers JPEG (APP1 Exif and XMP, in the primary image and the further images
 * of its MPF index), PNG (`eXIf` and XMP `iTXt`, with their CRCs recomputed;
 * a compressed XMP chunk that holds GPS is blanked whole), WebP (`EXIF`, `XMP `), TIFF (its own IFD0), and
 * HEIC/AVIF (the `Exif` item, XMP `mime` items). GIF has no EXIF.
 *
 * @param size the file's length in bytes
 * @throws {UnsupportedFormatError} when the file is not an accepted image
 * @throws {CorruptImageError} when a structure that may hold GPS cannot be read
 */
export async function gpsPatches(readAt: ReadAt, size: number): Promise<BytePatch[]> {
  const format = detectFormat(await readAt(0, 64));
  switch (format) {
    case 'jpeg':
      return jpegGpsPatches(readAt, size);
    case 'png':
      return pngGpsPatches(readAt, size);
    case 'webp':
      return webpGpsPatches(readAt, size);
    case 'tiff':
      return tiffGpsPatches(readAt, 0, size);
    case 'heic':
    case 'avif':
      return heifGpsPatches(readAt, size);
    case 'gif':
      return [];
  }
}
