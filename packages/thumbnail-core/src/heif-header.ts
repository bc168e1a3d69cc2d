// What a probe needs from a HEIC file, read from its boxes alone: no codec,
// no WebAssembly. The pixel limit is checked from this, before anything
// decodes, and the EXIF fields come from here too.

import { CorruptImageError } from './errors.ts';
import type { Extent, HeifMeta, ItemProperty } from './heif-meta.ts';
import { parseHeifMeta } from './heif-meta.ts';
import { type ImageInput, readRange } from './image-input.ts';
import { boxAt, heifCorrupt } from './iso-bmff.ts';

/** The probe of a HEIC file, from its `meta` box and Exif item. */
export interface HeifHeader {
  /** Size of the coded image (`ispe`), which decoding allocates: the pixel limit applies to it. */
  readonly codedWidth: number;
  readonly codedHeight: number;
  /**
   * The `irot` and `imir` transforms as the EXIF orientation that does the
   * same. libheif applies them while decoding; an EXIF Orientation tag in
   * the file says the same again (iPhones write both) and is ignored.
   */
  readonly orientation: number;
  /** Upright size, as decoded: after the crop (`clap`), rotation and mirroring. */
  readonly displayWidth: number;
  readonly displayHeight: number;
  readonly hasAlpha: boolean;
  readonly iccProfile: Uint8Array | undefined;
  /** The Exif item from its TIFF header on, as exif-reader reads it. */
  readonly exif: Buffer | undefined;
}

/** Bigger than any real `meta` box (a 48 MP grid's is tens of KiB): a bound on what is read. */
const MAX_META_BYTES = 16 << 20;
/** The Exif item of a phone photo is a few KiB; a bound all the same. */
const MAX_EXIF_BYTES = 4 << 20;
/** Top-level boxes before `meta`: `ftyp`, perhaps a few others, never many. */
const MAX_LEADING_BOXES = 64;

const ALPHA_AUX_TYPES = new Set([
  'urn:mpeg:hevc:2015:auxid:1',
  'urn:mpeg:mpegB:cicp:systems:auxiliary:alpha',
]);

/**
 * Reads the header of a HEIC file: the top-level boxes up to `meta`, `meta`
 * itself, and the Exif item if there is one. A few small reads, whatever the
 * file's size.
 *
 * @param head the first bytes of the input, already read
 * @throws {CorruptImageError} when the boxes do not make a HEIF image
 */
export async function readHeifHeader(input: ImageInput, head: Uint8Array): Promise<HeifHeader> {
  let at = 0;
  for (let count = 0; count < MAX_LEADING_BOXES; count++) {
    const bytes = at + 16 <= head.length ? head : await readRange(input, at, 16);
    const box = boxAt(bytes, bytes === head ? at : 0);
    if (!box) throw heifCorrupt('the file ends before its meta box');
    const start = at;
    const end = start + (box.end - box.start);
    if (box.type === 'meta') {
      if (end - start > MAX_META_BYTES) throw heifCorrupt('meta box too large');
      const whole =
        end <= head.length ? head.subarray(start, end) : await readRange(input, start, end - start);
      if (whole.length < end - start) throw heifCorrupt('the file ends within its meta box');
      const meta = parseHeifMeta(
        whole,
        { ...box, start: 0, payload: box.payload - box.start, end: end - start },
        start,
      );
      const exifExtents = exifLocation(meta);
      const exif = exifExtents && (await readExtents(input, head, exifExtents));
      return headerOf(meta, exif);
    }
    at = end;
  }
  throw heifCorrupt('no meta box among the leading boxes');
}

/**
 * How many leading bytes of a HEIC file {@link readHeifHeader} reads: up to
 * the end of its `meta` box, or of its Exif item when that lies further on
 * (iPhones put it first in `mdat`). Undefined when `head` does not reach
 * that far, or is not a HEIF file's start.
 */
export function heifHeaderLength(head: Uint8Array): number | undefined {
  try {
    let at = 0;
    for (let count = 0; count < MAX_LEADING_BOXES; count++) {
      const box = boxAt(head, at);
      if (!box) return undefined;
      if (box.type === 'meta') {
        if (box.end > head.length) return undefined;
        const meta = parseHeifMeta(head, box, 0);
        const exif = exifLocation(meta) ?? [];
        return Math.max(box.end, ...exif.map(({ offset, length }) => offset + length));
      }
      at = box.end;
    }
  } catch (error) {
    if (error instanceof CorruptImageError) return undefined;
    throw error;
  }
  return undefined;
}

function headerOf(meta: HeifMeta, exif: Uint8Array | undefined): HeifHeader {
  const properties = meta.properties.get(meta.primaryId) ?? [];
  const ispe = properties.find((p) => p.type === 'ispe');
  if (!ispe) throw heifCorrupt('the primary image has no size (ispe)');
  if (ispe.width < 1 || ispe.height < 1) {
    throw new CorruptImageError(
      `Image header declares an empty ${ispe.width}×${ispe.height} image`,
    );
  }
  const upright = applyTransforms(ispe.width, ispe.height, properties);
  const colr = properties.find((p) => p.type === 'colr' && p.icc !== undefined);
  return {
    codedWidth: ispe.width,
    codedHeight: ispe.height,
    ...upright,
    hasAlpha: hasAlphaPlane(meta),
    iccProfile: colr?.type === 'colr' ? colr.icc : undefined,
    exif: exif && tiffHeaderOf(exif),
  };
}

/**
 * Applies the transformative properties in the order they are listed, as
 * libheif does, to the size and to a 2 × 3 grid of labels whose final
 * arrangement names the EXIF orientation that does the same.
 */
function applyTransforms(
  width: number,
  height: number,
  properties: readonly ItemProperty[],
): { orientation: number; displayWidth: number; displayHeight: number } {
  let size = { width, height };
  let grid: Grid = [
    [0, 1, 2],
    [3, 4, 5],
  ];
  for (const property of properties) {
    if (property.type === 'clap') {
      // Each transform applies to what the ones before it made.
      if (property.width < 1 || property.height < 1) throw heifCorrupt('empty clean aperture');
      size = {
        width: Math.min(property.width, size.width),
        height: Math.min(property.height, size.height),
      };
    } else if (property.type === 'irot') {
      for (let turn = 0; turn < property.quarterTurns; turn++) {
        grid = turnAnticlockwise(grid);
        size = { width: size.height, height: size.width };
      }
    } else if (property.type === 'imir') {
      grid = property.axis === 0 ? flipTopBottom(grid) : flipLeftRight(grid);
    }
  }
  const orientation = EXIF_ORIENTATIONS.findIndex((displayed) => sameGrid(displayed, grid)) + 1;
  return { orientation, displayWidth: size.width, displayHeight: size.height };
}

type Grid = readonly (readonly number[])[];

function turnAnticlockwise(grid: Grid): Grid {
  const rows = grid.length;
  const columns = (grid[0] as readonly number[]).length;
  return Array.from({ length: columns }, (_, r) =>
    Array.from(
      { length: rows },
      (_, c) => (grid[c] as readonly number[])[columns - 1 - r] as number,
    ),
  );
}

const transpose = (grid: Grid): Grid =>
  (grid[0] as readonly number[]).map((_, c) => grid.map((row) => row[c] as number));
const flipLeftRight = (grid: Grid): Grid => grid.map((row) => [...row].reverse());
const flipTopBottom = (grid: Grid): Grid => [...grid].reverse();
const turnClockwise = (grid: Grid): Grid =>
  turnAnticlockwise(turnAnticlockwise(turnAnticlockwise(grid)));

/** The stored 2 × 3 grid as displayed under each EXIF orientation, 1 to 8. */
const EXIF_ORIENTATIONS: readonly Grid[] = (() => {
  const stored: Grid = [
    [0, 1, 2],
    [3, 4, 5],
  ];
  return [
    stored,
    flipLeftRight(stored),
    turnAnticlockwise(turnAnticlockwise(stored)),
    flipTopBottom(stored),
    transpose(stored),
    turnClockwise(stored),
    flipTopBottom(turnClockwise(stored)),
    turnAnticlockwise(stored),
  ];
})();

const sameGrid = (a: Grid, b: Grid): boolean =>
  a.length === b.length && a.every((row, r) => row.every((label, c) => label === b[r]?.[c]));

function hasAlphaPlane(meta: HeifMeta): boolean {
  return meta.references.some(
    (reference) =>
      reference.type === 'auxl' &&
      reference.to.includes(meta.primaryId) &&
      (meta.properties.get(reference.from) ?? []).some(
        (p) => p.type === 'auxC' && ALPHA_AUX_TYPES.has(p.auxType.replace(/\0+$/, '')),
      ),
  );
}

/** The Exif item that describes the primary image (`cdsc`), else the only one there is. */
function exifLocation(meta: HeifMeta): readonly Extent[] | undefined {
  const exifItems = [...meta.itemTypes].filter(([, type]) => type === 'Exif').map(([id]) => id);
  const describing = exifItems.find((id) =>
    meta.references.some(
      (r) => r.type === 'cdsc' && r.from === id && r.to.includes(meta.primaryId),
    ),
  );
  const id = describing ?? (exifItems.length === 1 ? exifItems[0] : undefined);
  const extents = id === undefined ? undefined : meta.locations.get(id);
  if (!extents || extents.length === 0) return undefined;
  const total = extents.reduce((sum, { length }) => sum + length, 0);
  return total > 0 && total <= MAX_EXIF_BYTES ? extents : undefined;
}

async function readExtents(
  input: ImageInput,
  head: Uint8Array,
  extents: readonly Extent[],
): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  for (const { offset, length } of extents) {
    const part =
      offset + length <= head.length
        ? head.subarray(offset, offset + length)
        : await readRange(input, offset, length);
    // An Exif item cut short is broken EXIF, which never fails a probe.
    if (part.length < length) return undefined;
    parts.push(part);
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * The Exif item's payload starts with the offset of the TIFF header (usually
 * 6, past "Exif\0\0"): exif-reader wants the TIFF header first.
 */
function tiffHeaderOf(item: Uint8Array): Buffer | undefined {
  if (item.length < 4) return undefined;
  const skip = new DataView(item.buffer, item.byteOffset, 4).getUint32(0);
  if (4 + skip >= item.length) return undefined;
  return Buffer.from(item.buffer, item.byteOffset + 4 + skip, item.length - 4 - skip);
}
