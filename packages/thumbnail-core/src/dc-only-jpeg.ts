// A DC-only copy of a progressive JPEG, for decodes at 1/8 scale.
//
// At 1/8 scale libjpeg decodes each 8×8 block to a single pixel with its 1×1
// inverse DCT (jidctred.c jpeg_idct_1x1), which reads the block's DC
// coefficient and nothing else. So for a component decoded that way, every
// AC scan of a progressive JPEG is entropy-decoded for nothing, and that is
// most of the work (over 90% of the bytes of a 4:4:4 or 4:2:2 photograph,
// about half of a 4:2:0 one, see below). The copy keeps every segment
// but those scans, adds zero AC scans in their place (see zero-ac-scans.ts
// for why), and decodes to the same pixels as the file, byte for byte.
//
// Not every component is decoded that way: libjpeg scales a subsampled
// component up through a larger IDCT instead of upsampling it when the
// ratios allow (jdmaster.c jpeg_calc_output_dimensions), so with 4:2:0 the
// chroma goes through the 2×2 IDCT, which reads AC coefficients. Those
// components keep all their scans.
//
// Anything the walk does not fully understand returns undefined, and the
// caller decodes the file itself: see jpeg-headers.ts.

import type { ImageInput } from './image-input.ts';
import {
  componentBlocks,
  type Frame,
  type FrameComponent,
  type HuffmanSlots,
  headSegments,
  Progression,
  parseFrame,
  parseHuffmanTables,
  parseQuantTables,
  parseRestartInterval,
  parseScan,
  type Scan,
  scanMcus,
} from './jpeg-headers.ts';
import { ByteSink, SequentialReader } from './sequential-reader.ts';
import { zeroAcScans } from './zero-ac-scans.ts';

/** More scans than any encoder writes (libjpeg's default script has 10, mozjpeg's up to ~20). */
const MAX_SCANS = 1000;

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DQT = 0xdb;
const DRI = 0xdd;
const DHT = 0xc4;
const SOF2 = 0xc2;
const COM = 0xfe;
const RST0 = 0xd0;
const RST7 = 0xd7;

/**
 * Whether libjpeg decodes this component at 1/8 scale with the 1×1 IDCT:
 * jpeg_calc_output_dimensions doubles a component's IDCT size while both its
 * sampling ratios to the maximum are still divisible by two.
 */
function decodesWithDcOnly(frame: Frame, component: FrameComponent): boolean {
  return !(frame.maxH % (2 * component.h) === 0 && frame.maxV % (2 * component.v) === 0);
}

/**
 * Reads a progressive JPEG and returns its DC-only copy, or undefined when
 * the normal path must decode it: not a progressive Huffman JPEG, `accept`
 * declines its frame, or anything in it is not fully understood (a truncated
 * file, a bogus length, an unknown marker, data after EOI, a progression
 * libjpeg would warn about...). Never throws.
 *
 * `accept` sees the frame as soon as its header is read, before any scan, so
 * a declined file costs only its header.
 */
export async function dcOnlyCopy(
  input: ImageInput,
  accept: (frame: Frame) => boolean | Promise<boolean>,
): Promise<Buffer | undefined> {
  let reader: SequentialReader | undefined;
  try {
    reader = await SequentialReader.open(input);
    return await walk(reader, accept);
  } catch {
    // An I/O error or a bug here must not fail a render: the normal path decides.
    return undefined;
  } finally {
    await reader?.close().catch(() => undefined);
  }
}

async function walk(
  reader: SequentialReader,
  accept: (frame: Frame) => boolean | Promise<boolean>,
): Promise<Buffer | undefined> {
  if (!(await reader.need(2)) || reader.byte(0) !== 0xff || reader.byte(1) !== SOI) return;
  const out = new ByteSink();
  out.write(reader.view(2));
  reader.skip(2);

  const huffman: HuffmanSlots = { dc: [], ac: [] };
  const quant: boolean[] = [];
  let restartInterval = 0;
  let frame: Frame | undefined;
  let progression: Progression | undefined;
  let scans = 0;

  for (;;) {
    const marker = await nextMarker(reader);
    if (marker === undefined) return;
    if (marker === EOI) {
      if (!frame || !progression?.complete()) return;
      reader.skip(2);
      // Data after EOI (an MPF second image, a trailer) would be dropped: not this path's business.
      if (await reader.need(1)) return;
      return finish(out, frame);
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if (![SOS, DQT, DRI, DHT, SOF2, COM].includes(marker) && !isApp) return;
    if (!(await reader.need(4))) return;
    const length = (reader.byte(2) << 8) | reader.byte(3);
    if (length < 2 || !(await reader.need(2 + length))) return;
    const segment = reader.view(2 + length);
    const body = segment.subarray(4);

    if (marker === SOF2) {
      if (frame) return;
      frame = parseFrame(body);
      if (!frame || !(await accept(frame))) return;
      progression = new Progression(frame.components.length);
    } else if (marker === DHT) {
      if (!parseHuffmanTables(body, huffman)) return;
    } else if (marker === DQT) {
      if (!parseQuantTables(body, quant)) return;
    } else if (marker === DRI) {
      const interval = parseRestartInterval(body);
      if (interval === undefined) return;
      restartInterval = interval;
    } else if (marker === 0xe2 && startsWith(body, 'MPF\0')) {
      // A multi-picture (gain map) index points at byte offsets this copy would move.
      return;
    } else if (marker === SOS) {
      if (!frame || !progression || ++scans > MAX_SCANS) return;
      const scan = parseScan(body, frame);
      if (!scan || !usable(scan, frame, progression, huffman, quant)) return;
      if (!progression.apply(scan)) return;
      const keep = scan.ss === 0 || !decodesWithDcOnly(frame, componentOf(frame, scan));
      if (keep) out.write(segment);
      reader.skip(2 + length);
      const restarts = restartInterval ? Math.ceil(scanMcus(frame, scan) / restartInterval) - 1 : 0;
      if (!(await passEntropyData(reader, keep ? out : undefined, restarts))) return;
      continue;
    }
    // Every other segment (tables, restart interval, APPn such as EXIF and ICC, COM) is kept.
    out.write(segment);
    reader.skip(2 + length);
  }
}

/** Checks what libjpeg checks when a scan starts, so a dropped scan could not have failed. */
function usable(
  scan: Scan,
  frame: Frame,
  progression: Progression,
  huffman: HuffmanSlots,
  quant: boolean[],
): boolean {
  return scan.components.every((component, i) => {
    // Quantisation tables are latched at a component's first scan.
    const quantTable = (frame.components[component] as FrameComponent).quantTable;
    if (!progression.started(component) && !quant[quantTable]) return false;
    if (scan.ss > 0) return huffman.ac[scan.acTables[i] as number] === true;
    // DC refinement scans use no table.
    return scan.ah > 0 || huffman.dc[scan.dcTables[i] as number] === true;
  });
}

function componentOf(frame: Frame, scan: Scan): FrameComponent {
  return frame.components[scan.components[0] as number] as FrameComponent;
}

/**
 * Positions the reader at the next marker's 0xFF and returns its code.
 * Fill bytes (extra 0xFF) before a marker are allowed and skipped; anything
 * else between segments is not.
 */
async function nextMarker(reader: SequentialReader): Promise<number | undefined> {
  if (!(await reader.need(2)) || reader.byte(0) !== 0xff) return undefined;
  while (reader.byte(1) === 0xff) {
    reader.skip(1);
    if (!(await reader.need(2))) return undefined;
  }
  return reader.byte(1);
}

/**
 * Passes over a scan's entropy-coded data, writing it to `out` when given,
 * and leaves the reader at the marker that ends it. In the data, 0xFF is
 * followed by 0x00 (a stuffed 0xFF) or is a restart marker; libjpeg ends
 * the data at any other marker from 0xC0 up, after any fill bytes.
 *
 * False for what libjpeg would not read the same way as this walk: markers
 * below 0xC0 (libjpeg skips past them while resynchronising), fill bytes
 * before data or a restart marker, restart markers out of sequence or not
 * exactly as many as the restart interval calls for, or the end of the input.
 */
async function passEntropyData(
  reader: SequentialReader,
  out: ByteSink | undefined,
  restarts: number,
): Promise<boolean> {
  let seen = 0;
  for (;;) {
    // (Awaiting only when the window runs dry: an await per 0xFF would cost more than the scan.)
    if (reader.available < 1 && !(await reader.need(1))) return false;
    const ff = reader.nextFF();
    const plain = ff === -1 ? reader.available : ff;
    out?.write(reader.view(plain));
    reader.skip(plain);
    if (ff === -1) continue;
    if (reader.available < 2 && !(await reader.need(2))) return false;
    const next = reader.byte(1);
    if (next === 0x00 || (next >= RST0 && next <= RST7)) {
      if (next !== 0x00) {
        if (next !== RST0 + (seen % 8) || ++seen > restarts) return false;
      }
      out?.write(reader.view(2));
      reader.skip(2);
      continue;
    }
    if (next === 0xff) {
      // Fill bytes: must lead to a marker that ends the data.
      const marker = await nextMarker(reader);
      if (marker === undefined || marker < 0xc0 || (marker >= RST0 && marker <= RST7)) {
        return false;
      }
      return seen === restarts;
    }
    return next >= 0xc0 && seen === restarts;
  }
}

/**
 * The frame (SOFn) marker of a JPEG, when its first bytes reach it: a quick
 * way to tell a baseline file from a progressive one without reading more.
 * Undefined when the bytes end first or do not look like marker segments.
 */
export function frameMarker(head: Uint8Array): number | undefined {
  for (const { marker } of headSegments(head))
    if (marker >= 0xc0 && marker <= 0xcf && ![DHT, 0xc8, 0xcc].includes(marker)) return marker;
  return undefined;
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  return text.length <= bytes.length && [...text].every((c, i) => bytes[i] === c.charCodeAt(0));
}

/** Appends the zero AC scans for the components whose AC scans were left out, then EOI. */
function finish(out: ByteSink, frame: Frame): Buffer {
  const dropped = frame.components
    .filter((component) => decodesWithDcOnly(frame, component))
    .map((component) => ({ id: component.id, blocks: componentBlocks(frame, component) }));
  out.write(zeroAcScans(dropped));
  out.write(Uint8Array.of(0xff, EOI));
  return out.toBuffer();
}
