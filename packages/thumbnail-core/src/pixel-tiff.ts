// Decoded pixels as an uncompressed TIFF, so that libvips receives them with
// their ICC profile: sharp's raw input carries none, and an iPhone's HEIC is
// in Display P3, which read as sRGB would look washed out. Uncompressed
// strips cost libvips a copy and nothing else.

/** Where each part of an uncompressed RGB(A) TIFF lies; the caller writes the pixels. */
export interface PixelTiffLayout {
  /** Every byte before the pixels: header, directory, tables and profile. */
  readonly head: Uint8Array;
  /** Total size: `head`, then rows of `width × channels` bytes, top to bottom. */
  readonly bytes: number;
}

/** Strips of about this size: libtiff reads a strip at a time, so this bounds its buffer. */
const STRIP_BYTES = 1 << 18;

/** Offsets in a classic TIFF are 32-bit. */
export const MAX_PIXEL_TIFF_BYTES = 0xffff_0000;

const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;

/**
 * Lays out an 8-bit, chunky, uncompressed RGB (3 channels) or RGBA (4,
 * unassociated alpha) TIFF in little-endian byte order.
 */
export function pixelTiffLayout(
  width: number,
  height: number,
  channels: 3 | 4,
  iccProfile: Uint8Array | undefined,
): PixelTiffLayout {
  const rowBytes = width * channels;
  const pixelBytes = rowBytes * height;
  const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(STRIP_BYTES / rowBytes)));
  const strips = Math.ceil(height / rowsPerStrip);

  const entries: [tag: number, type: number, count: number, value: number[] | Uint8Array][] = [
    [256, LONG, 1, [width]],
    [257, LONG, 1, [height]],
    [258, SHORT, channels, Array(channels).fill(8)],
    [259, SHORT, 1, [1]], // no compression
    [262, SHORT, 1, [2]], // RGB
    [273, LONG, strips, []], // strip offsets: filled in below, once the pixels' place is known
    [277, SHORT, 1, [channels]],
    [278, LONG, 1, [rowsPerStrip]],
    [
      279,
      LONG,
      strips,
      Array.from({ length: strips }, (_, i) =>
        i < strips - 1
          ? rowsPerStrip * rowBytes
          : pixelBytes - (strips - 1) * rowsPerStrip * rowBytes,
      ),
    ],
    [284, SHORT, 1, [1]], // chunky: RGBRGB…
  ];
  if (channels === 4) entries.push([338, SHORT, 1, [2]]); // unassociated alpha
  if (iccProfile) entries.push([34675, UNDEFINED, iccProfile.length, iccProfile]);

  const size = (type: number, count: number) =>
    count * (type === SHORT ? 2 : type === LONG ? 4 : 1);
  const directoryEnd = 8 + 2 + entries.length * 12 + 4;
  let tableAt = directoryEnd;
  const tableOffsets = entries.map(([, type, count]) => {
    const bytes = size(type, count);
    if (bytes <= 4) return undefined;
    const at = tableAt;
    tableAt += bytes + (bytes & 1); // word-aligned, as TIFF asks
    return at;
  });
  const pixelsAt = tableAt;
  if (pixelsAt + pixelBytes > MAX_PIXEL_TIFF_BYTES) {
    throw new RangeError(`${width}×${height} pixels do not fit in a TIFF`);
  }
  const stripOffsets = entries.find(([tag]) => tag === 273) as (typeof entries)[number];
  stripOffsets[3] = Array.from(
    { length: strips },
    (_, i) => pixelsAt + i * rowsPerStrip * rowBytes,
  );

  const head = new Uint8Array(pixelsAt);
  const view = new DataView(head.buffer);
  head.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, 8, true);
  view.setUint16(8, entries.length, true);
  const write = (at: number, type: number, value: number[] | Uint8Array) => {
    if (value instanceof Uint8Array) {
      head.set(value, at);
      return;
    }
    for (const [i, v] of value.entries()) {
      if (type === SHORT) view.setUint16(at + i * 2, v, true);
      else view.setUint32(at + i * 4, v, true);
    }
  };
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    const table = tableOffsets[i];
    if (table === undefined) write(at + 8, type, value);
    else {
      view.setUint32(at + 8, table, true);
      write(table, type, value);
    }
  });
  view.setUint32(directoryEnd - 4, 0, true); // no next directory
  return { head, bytes: pixelsAt + pixelBytes };
}
