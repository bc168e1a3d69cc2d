// Parsers for the JPEG marker segments a progressive JPEG is made of. Each
// accepts only what libjpeg(-turbo) decodes without an error *or a warning*
// and returns undefined for anything else: the DC-only path is taken only for
// files whose every segment is understood, so that dropping part of them
// cannot change what libjpeg would have done with the rest.

/** One component of the frame header (SOF). */
export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly quantTable: number;
}

/** The frame header of a progressive Huffman JPEG (SOF2). */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly components: readonly FrameComponent[];
  readonly maxH: number;
  readonly maxV: number;
}

/** One scan header (SOS), with components as indices into the frame's. */
export interface Scan {
  readonly components: readonly number[];
  readonly dcTables: readonly number[];
  readonly acTables: readonly number[];
  /** Spectral selection start and end, in zigzag order. */
  readonly ss: number;
  readonly se: number;
  /** Successive approximation: bit position high (0 on a first scan) and low. */
  readonly ah: number;
  readonly al: number;
}

/** libjpeg's JPEG_MAX_DIMENSION. */
const MAX_DIMENSION = 65_500;
/** libjpeg's D_MAX_BLOCKS_IN_MCU. */
const MAX_BLOCKS_IN_MCU = 10;

const u16 = (body: Uint8Array, at: number): number =>
  ((body[at] as number) << 8) | (body[at + 1] as number);

/** A marker segment at the start of a JPEG: its marker, where it starts, and where it ends. */
export interface HeadSegment {
  readonly marker: number;
  readonly at: number;
  /** One past its last byte, which may lie beyond the bytes walked. */
  readonly end: number;
}

/**
 * The marker segments after SOI, in order, for as long as `head` holds a
 * segment's marker and length and they look like segments (fill bytes
 * skipped). Entropy-coded data after an SOS is not a segment: a caller
 * that reaches one stops there.
 */
export function* headSegments(head: Uint8Array): Generator<HeadSegment> {
  let at = 2;
  while (at + 4 <= head.length && head[at] === 0xff) {
    const marker = head[at + 1] as number;
    // Fill bytes: any number of 0xFF may precede a marker.
    if (marker === 0xff) {
      at++;
      continue;
    }
    const end = at + 2 + u16(head, at + 2);
    yield { marker, at, end };
    at = end;
  }
}

/**
 * Reads an SOF2 body (after the length). Only 8-bit greyscale or
 * three-component images with sampling factors of 1 or 2 are accepted: the
 * layouts whose 1/8-scale decode is tested here.
 */
export function parseFrame(body: Uint8Array): Frame | undefined {
  if (body.length < 6) return undefined;
  const precision = body[0];
  const height = u16(body, 1);
  const width = u16(body, 3);
  const count = body[5] as number;
  if (precision !== 8 || (count !== 1 && count !== 3) || body.length !== 6 + 3 * count) {
    return undefined;
  }
  // A height of 0 defers it to a DNL marker, which this parser does not follow.
  if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) return undefined;
  const components: FrameComponent[] = [];
  for (let i = 0; i < count; i++) {
    const id = body[6 + 3 * i] as number;
    const sampling = body[7 + 3 * i] as number;
    const quantTable = body[8 + 3 * i] as number;
    const h = sampling >> 4;
    const v = sampling & 15;
    if (h < 1 || h > 2 || v < 1 || v > 2 || quantTable > 3) return undefined;
    if (components.some((c) => c.id === id)) return undefined;
    components.push({ id, h, v, quantTable });
  }
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  return { width, height, components, maxH, maxV };
}

/** Reads an SOS body (after the length) against the frame. */
export function parseScan(body: Uint8Array, frame: Frame): Scan | undefined {
  const count = body[0] ?? 0;
  if (count < 1 || count > frame.components.length || body.length !== 4 + 2 * count) {
    return undefined;
  }
  const components: number[] = [];
  const dcTables: number[] = [];
  const acTables: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = frame.components.findIndex((c) => c.id === body[1 + 2 * i]);
    // Each component once, in frame order, as the standard requires.
    if (index < 0 || index <= (components.at(-1) ?? -1)) return undefined;
    const tables = body[2 + 2 * i] as number;
    components.push(index);
    dcTables.push(tables >> 4);
    acTables.push(tables & 15);
  }
  const ss = body[1 + 2 * count] as number;
  const se = body[2 + 2 * count] as number;
  const approximation = body[3 + 2 * count] as number;
  const scan = {
    components,
    dcTables,
    acTables,
    ss,
    se,
    ah: approximation >> 4,
    al: approximation & 15,
  };
  // libjpeg's own checks (jdphuff.c start_pass_phuff_decoder), all fatal there.
  if (scan.ss === 0 ? scan.se !== 0 : scan.ss > scan.se || scan.se > 63 || count !== 1) {
    return undefined;
  }
  if ((scan.ah !== 0 && scan.al !== scan.ah - 1) || scan.al > 13) return undefined;
  if (count > 1) {
    const blocks = components.reduce((sum, i) => {
      const c = frame.components[i] as FrameComponent;
      return sum + c.h * c.v;
    }, 0);
    if (blocks > MAX_BLOCKS_IN_MCU) return undefined;
  }
  return scan;
}

/** Huffman tables defined so far: `dc[i]`/`ac[i]` for table slot i. */
export interface HuffmanSlots {
  readonly dc: boolean[];
  readonly ac: boolean[];
}

/**
 * Reads a DHT body and marks the slots it defines. Every table must pass
 * the checks libjpeg makes when it first uses one (jdhuff.c
 * jpeg_make_d_derived_tbl), because a dropped scan would never have it used.
 */
export function parseHuffmanTables(body: Uint8Array, slots: HuffmanSlots): boolean {
  let at = 0;
  while (at < body.length) {
    if (at + 17 > body.length) return false;
    const index = body[at] as number;
    const isDc = index >> 4 === 0;
    const slot = index & 15;
    if (index >> 4 > 1 || slot > 3) return false;
    let count = 0;
    let code = 0;
    for (let length = 1; length <= 16; length++) {
      const codes = body[at + length] as number;
      count += codes;
      code += codes;
      // Codes of each length must fit in that many bits, the all-ones code excluded.
      if (code >= 2 ** length) return false;
      code *= 2;
    }
    at += 17;
    if (count > 256 || at + count > body.length) return false;
    if (isDc && body.subarray(at, at + count).some((symbol) => symbol > 15)) return false;
    at += count;
    (isDc ? slots.dc : slots.ac)[slot] = true;
  }
  return true;
}

/** Reads a DQT body and marks the table slots it defines. */
export function parseQuantTables(body: Uint8Array, defined: boolean[]): boolean {
  let at = 0;
  while (at < body.length) {
    const index = body[at] as number;
    const precision = index >> 4;
    const slot = index & 15;
    if (precision > 1 || slot > 3) return false;
    at += 1 + 64 * (precision + 1);
    if (at > body.length) return false;
    defined[slot] = true;
  }
  return true;
}

/** Reads a DRI body: the restart interval in MCUs (0: none). */
export function parseRestartInterval(body: Uint8Array): number | undefined {
  return body.length === 2 ? u16(body, 0) : undefined;
}

/**
 * The successive-approximation state of every coefficient of every
 * component, as libjpeg tracks it (`coef_bits`): -1 before any scan has
 * coded it, else the lowest bit position coded so far (0 when complete).
 */
export class Progression {
  readonly #bits: Int8Array[];

  constructor(components: number) {
    this.#bits = Array.from({ length: components }, () => new Int8Array(64).fill(-1));
  }

  /**
   * Applies a scan. False when libjpeg would warn that the progression is
   * bogus (an AC scan before the DC scan, a refinement that does not follow
   * on): it decodes such files anyway, but not in a way this path mirrors.
   */
  apply(scan: Scan): boolean {
    for (const component of scan.components) {
      const bits = this.#bits[component] as Int8Array;
      if (scan.ss > 0 && (bits[0] as number) < 0) return false;
      for (let k = scan.ss; k <= scan.se; k++) {
        if (scan.ah !== Math.max(0, bits[k] as number)) return false;
        bits[k] = scan.al;
      }
    }
    return true;
  }

  /** Whether a component has had any scan yet. */
  started(component: number): boolean {
    return (this.#bits[component]?.[0] ?? -1) >= 0;
  }

  /** Whether every coefficient of every component has been coded to full precision. */
  complete(): boolean {
    return this.#bits.every((bits) => bits.every((bit) => bit === 0));
  }
}

/** Blocks a component has (width × height in 8×8 blocks, without MCU padding). */
export function componentBlocks(frame: Frame, component: FrameComponent): number {
  const across = Math.ceil((frame.width * component.h) / (8 * frame.maxH));
  const down = Math.ceil((frame.height * component.v) / (8 * frame.maxV));
  return across * down;
}

/** MCUs a scan has: one block each when it has one component, else the frame's MCU grid. */
export function scanMcus(frame: Frame, scan: Scan): number {
  if (scan.components.length === 1) {
    return componentBlocks(frame, frame.components[scan.components[0] as number] as FrameComponent);
  }
  return Math.ceil(frame.width / (8 * frame.maxH)) * Math.ceil(frame.height / (8 * frame.maxV));
}
