// The `meta` box of a HEIF file (ISO/IEC 23008-12): which item is the
// primary image, the properties attached to each item (size, rotation,
// mirroring, crop, colour profile), where each item's bytes lie, and how
// items refer to one another (an Exif block `cdsc` describes an image, an
// alpha plane is an `auxl` of it). Enough to probe a HEIC without its codec.

import { type Box, childBoxes, FieldReader, heifCorrupt } from './iso-bmff.ts';

/** One contiguous run of an item's bytes, as absolute offsets in the file. */
export interface Extent {
  readonly offset: number;
  readonly length: number;
}

/** The item properties thumbnail-core reads; any other is kept by type alone. */
export type ItemProperty =
  | { readonly type: 'ispe'; readonly width: number; readonly height: number }
  /** Anticlockwise rotation in quarter turns. */
  | { readonly type: 'irot'; readonly quarterTurns: number }
  /**
   * As libheif applies it (which an `imir` fixture checks): 0 swaps top and
   * bottom, 1 swaps left and right. The standard's wording ("a vertical
   * axis") has been read both ways.
   */
  | { readonly type: 'imir'; readonly axis: 0 | 1 }
  /** The clean aperture's size, as libheif rounds it. */
  | { readonly type: 'clap'; readonly width: number; readonly height: number }
  | { readonly type: 'colr'; readonly icc: Uint8Array | undefined }
  | { readonly type: 'auxC'; readonly auxType: string }
  | { readonly type: 'other'; readonly fourcc: string };

export interface HeifMeta {
  readonly primaryId: number;
  /** Item type (`hvc1`, `grid`, `Exif`…) by item id. */
  readonly itemTypes: ReadonlyMap<number, string>;
  /** Each item's properties, in the order they apply. */
  readonly properties: ReadonlyMap<number, readonly ItemProperty[]>;
  /** Each stored item's bytes; absent for an item with none or in an unsupported place. */
  readonly locations: ReadonlyMap<number, readonly Extent[]>;
  readonly references: readonly { type: string; from: number; to: readonly number[] }[];
}

/** More than any camera writes (a 48 MP grid has a few hundred tiles): a bound on the work. */
const MAX_ENTRIES = 65_536;

/**
 * Parses a `meta` box.
 *
 * @param bytes bytes holding the whole box
 * @param meta the box, as offsets into `bytes`
 * @param fileOffset where `bytes` starts in the file, to make item offsets absolute
 */
export function parseHeifMeta(bytes: Uint8Array, meta: Box, fileOffset: number): HeifMeta {
  const header = new FieldReader(bytes, meta);
  header.versionAndFlags();
  const children = new Map<string, Box>();
  for (const box of childBoxes(bytes, meta, header.position)) {
    if (!children.has(box.type)) children.set(box.type, box);
  }
  const handler = children.get('hdlr');
  if (!handler || handlerType(bytes, handler) !== 'pict') {
    throw heifCorrupt('no picture handler (a HEIF sequence or another kind of file)');
  }
  const pitm = children.get('pitm');
  if (!pitm) throw heifCorrupt('no primary item');
  const idat = children.get('idat');
  return {
    primaryId: primaryItem(bytes, pitm),
    itemTypes: children.has('iinf') ? itemTypes(bytes, children.get('iinf') as Box) : new Map(),
    properties: children.has('iprp')
      ? itemProperties(bytes, children.get('iprp') as Box)
      : new Map(),
    locations: children.has('iloc')
      ? itemLocations(
          bytes,
          children.get('iloc') as Box,
          idat && { offset: fileOffset + idat.payload, length: idat.end - idat.payload },
        )
      : new Map(),
    references: children.has('iref') ? itemReferences(bytes, children.get('iref') as Box) : [],
  };
}

function handlerType(bytes: Uint8Array, box: Box): string {
  const fields = new FieldReader(bytes, box);
  fields.versionAndFlags();
  fields.skip(4); // pre_defined
  return fields.fourcc();
}

function primaryItem(bytes: Uint8Array, box: Box): number {
  const fields = new FieldReader(bytes, box);
  return fields.versionAndFlags().version === 0 ? fields.u16() : fields.u32();
}

function itemTypes(bytes: Uint8Array, box: Box): Map<number, string> {
  const fields = new FieldReader(bytes, box);
  const { version } = fields.versionAndFlags();
  fields.skip(version === 0 ? 2 : 4); // entry_count: the boxes that follow say it again
  const types = new Map<number, string>();
  for (const infe of childBoxes(bytes, box, fields.position)) {
    if (infe.type !== 'infe') continue;
    const entry = new FieldReader(bytes, infe);
    const { version: entryVersion } = entry.versionAndFlags();
    // Versions 0 and 1 predate item types; HEIF requires version 2 or later.
    if (entryVersion < 2) continue;
    const id = entryVersion === 2 ? entry.u16() : entry.u32();
    entry.skip(2); // item_protection_index
    types.set(id, entry.fourcc());
    if (types.size > MAX_ENTRIES) throw heifCorrupt('too many items');
  }
  return types;
}

function itemProperties(bytes: Uint8Array, iprp: Box): Map<number, ItemProperty[]> {
  const children = [...childBoxes(bytes, iprp)];
  const ipco = children.find((box) => box.type === 'ipco');
  if (!ipco) return new Map();
  const declared = [...childBoxes(bytes, ipco)].map((box) => readProperty(bytes, box));
  const properties = new Map<number, ItemProperty[]>();
  for (const ipma of children.filter((box) => box.type === 'ipma')) {
    const fields = new FieldReader(bytes, ipma);
    const { version, flags } = fields.versionAndFlags();
    const entries = fields.u32();
    if (entries > MAX_ENTRIES) throw heifCorrupt('too many property associations');
    for (let entry = 0; entry < entries; entry++) {
      const id = version < 1 ? fields.u16() : fields.u32();
      const count = fields.u8();
      const list = properties.get(id) ?? [];
      for (let i = 0; i < count; i++) {
        // The top bit says "essential"; index 0 means no property.
        const index = flags & 1 ? fields.u16() & 0x7fff : fields.u8() & 0x7f;
        if (index === 0) continue;
        const property = declared[index - 1];
        if (!property)
          throw heifCorrupt(`item ${id} refers to property ${index}, which does not exist`);
        list.push(property);
      }
      properties.set(id, list);
    }
  }
  return properties;
}

function readProperty(bytes: Uint8Array, box: Box): ItemProperty {
  const fields = new FieldReader(bytes, box);
  switch (box.type) {
    case 'ispe': {
      fields.versionAndFlags();
      return { type: 'ispe', width: fields.u32(), height: fields.u32() };
    }
    case 'irot':
      return { type: 'irot', quarterTurns: fields.u8() & 3 };
    case 'imir':
      return { type: 'imir', axis: (fields.u8() & 1) as 0 | 1 };
    case 'clap': {
      const width = fraction(fields.u32(), fields.u32());
      const height = fraction(fields.u32(), fields.u32());
      return { type: 'clap', width, height };
    }
    case 'colr': {
      const kind = fields.fourcc();
      return { type: 'colr', icc: kind === 'prof' || kind === 'rICC' ? fields.rest() : undefined };
    }
    case 'auxC': {
      fields.versionAndFlags();
      return { type: 'auxC', auxType: fields.string() };
    }
    default:
      return { type: 'other', fourcc: box.type };
  }
}

/** A clean-aperture size rounded as libheif rounds it (to nearest, halves up). */
function fraction(numerator: number, denominator: number): number {
  if (denominator === 0) throw heifCorrupt('clean aperture with a zero denominator');
  return Math.floor((numerator + Math.floor(denominator / 2)) / denominator);
}

function itemLocations(
  bytes: Uint8Array,
  box: Box,
  idat: Extent | undefined,
): Map<number, Extent[]> {
  const fields = new FieldReader(bytes, box);
  const { version } = fields.versionAndFlags();
  if (version > 2) throw heifCorrupt(`iloc version ${version}`);
  const sizes = fields.u16();
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 15;
  const baseOffsetSize = (sizes >> 4) & 15;
  const indexSize = version === 0 ? 0 : sizes & 15;
  const count = version < 2 ? fields.u16() : fields.u32();
  if (count > MAX_ENTRIES) throw heifCorrupt('too many item locations');
  const locations = new Map<number, Extent[]>();
  for (let item = 0; item < count; item++) {
    const id = version < 2 ? fields.u16() : fields.u32();
    const constructionMethod = version === 0 ? 0 : fields.u16() & 15;
    const dataReference = fields.u16();
    const base = fields.uint(baseOffsetSize);
    const extentCount = fields.u16();
    const extents: Extent[] = [];
    for (let i = 0; i < extentCount; i++) {
      fields.uint(indexSize);
      const offset = fields.uint(offsetSize);
      const length = fields.uint(lengthSize);
      extents.push({ offset: base + offset, length });
    }
    // In this file (method 0) or in the idat box (method 1); data in other
    // files or built from other items is nothing a photo needs from here.
    if (dataReference !== 0) continue;
    if (constructionMethod === 0) locations.set(id, extents);
    else if (constructionMethod === 1 && idat) {
      locations.set(
        id,
        extents.map(({ offset, length }) => {
          if (offset + length > idat.length) throw heifCorrupt(`item ${id} overruns idat`);
          return { offset: idat.offset + offset, length };
        }),
      );
    }
  }
  return locations;
}

function itemReferences(bytes: Uint8Array, box: Box): HeifMeta['references'] {
  const fields = new FieldReader(bytes, box);
  const { version } = fields.versionAndFlags();
  const references: { type: string; from: number; to: number[] }[] = [];
  for (const reference of childBoxes(bytes, box, fields.position)) {
    const entry = new FieldReader(bytes, reference);
    const id = () => (version === 0 ? entry.u16() : entry.u32());
    const from = id();
    const count = entry.u16();
    const to: number[] = [];
    for (let i = 0; i < count; i++) to.push(id());
    references.push({ type: reference.type, from, to });
    if (references.length > MAX_ENTRIES) throw heifCorrupt('too many item references');
  }
  return references;
}
