// A small progressive JPEG encoder for the tests: any scan script, sampling
// factors, restart intervals and table layout, none of which the libraries
// at hand write on demand (sharp writes one scan script, never restart
// markers). Written from the standard (ITU T.81 Annex G) and libjpeg's
// jcphuff.c, so that libjpeg decodes its files without a single warning.
import { RED, type Rgb, seededRandom } from './generate.ts';

/** One scan: components (indices into the frame's), spectral band and successive approximation. */
export interface ScanSpec {
  components: number[];
  ss: number;
  se: number;
  ah: number;
  al: number;
}

export interface ProgressiveJpegOptions {
  /** Sampling factors [h, v] per component; one entry for greyscale. Default 4:2:0. */
  sampling?: [number, number][];
  /** Default: {@link LIBJPEG_SCRIPT} for colour, {@link GREY_SCRIPT} for greyscale. */
  scans?: ScanSpec[];
  /** Restart interval in MCUs for every scan, or per scan (a DRI before each scan that changes it). */
  restartInterval?: number | ((scan: number) => number);
  /** Redefine every Huffman table (alternating between two code assignments) before every nth scan. */
  tablesEvery?: number;
  /** EXIF orientation to tag the file with (an APP1 segment). */
  orientation?: number;
  quality?: number;
}

const scan = (components: number[], ss: number, se: number, ah: number, al: number): ScanSpec => ({
  components,
  ss,
  se,
  ah,
  al,
});

/** libjpeg's default progressive script for YCbCr (jcparam.c jpeg_simple_progression). */
export const LIBJPEG_SCRIPT: ScanSpec[] = [
  scan([0, 1, 2], 0, 0, 0, 1),
  scan([0], 1, 5, 0, 2),
  scan([2], 1, 63, 0, 1),
  scan([1], 1, 63, 0, 1),
  scan([0], 6, 63, 0, 2),
  scan([0], 1, 63, 2, 1),
  scan([0, 1, 2], 0, 0, 1, 0),
  scan([2], 1, 63, 1, 0),
  scan([1], 1, 63, 1, 0),
  scan([0], 1, 63, 1, 0),
];

/** Spectral selection only: every coefficient at full precision the first time. */
export const SPECTRAL_SCRIPT: ScanSpec[] = [
  scan([0, 1, 2], 0, 0, 0, 0),
  scan([0], 1, 9, 0, 0),
  scan([1], 1, 63, 0, 0),
  scan([0], 10, 63, 0, 0),
  scan([2], 1, 63, 0, 0),
];

/** Non-interleaved DC scans refined twice, AC in many small bands, some refined. */
export const SPLIT_SCRIPT: ScanSpec[] = [
  scan([0], 0, 0, 0, 2),
  scan([1], 0, 0, 0, 2),
  scan([2], 0, 0, 0, 2),
  scan([0], 1, 2, 0, 1),
  scan([0, 1, 2], 0, 0, 2, 1),
  scan([1], 1, 63, 0, 0),
  scan([0], 3, 20, 0, 0),
  scan([0], 1, 2, 1, 0),
  scan([2], 1, 5, 0, 1),
  scan([0], 21, 63, 0, 1),
  scan([2], 6, 63, 0, 0),
  scan([0], 0, 0, 1, 0),
  scan([1, 2], 0, 0, 1, 0),
  scan([2], 1, 5, 1, 0),
  scan([0], 21, 63, 1, 0),
];

/** Every AC coefficient in a scan of its own, for a few hundred scans in all. */
export function manyScansScript(components: number, approximations = 1): ScanSpec[] {
  const all = Array.from({ length: components }, (_, i) => i);
  const scans = [scan(all, 0, 0, 0, 0)];
  for (let c = 0; c < components; c++) {
    for (let k = 1; k < 64; k++) {
      scans.push(scan([c], k, k, 0, approximations - 1));
      for (let al = approximations - 2; al >= 0; al--) scans.push(scan([c], k, k, al + 1, al));
    }
  }
  return scans;
}

export const GREY_SCRIPT: ScanSpec[] = [
  scan([0], 0, 0, 0, 1),
  scan([0], 1, 5, 0, 2),
  scan([0], 6, 63, 0, 2),
  scan([0], 1, 63, 2, 1),
  scan([0], 0, 0, 1, 0),
  scan([0], 1, 63, 1, 0),
];

/**
 * A deterministic photograph-like RGB texture (gradients, waves and noise in
 * every channel): AC coefficients everywhere, in luma and chroma, so that a
 * decode that loses any of them shows it.
 */
export function texture(width: number, height: number, tint: Rgb = RED): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  const random = seededRandom(12_345);
  const noise = () => random() - 0.5;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const wave = Math.sin(x / 3.1) * Math.cos(y / 4.7) + Math.sin((x + y) / 11);
      for (let c = 0; c < 3; c++) {
        const value =
          ((tint[c] as number) * x) / width / 2 +
          (60 * y) / height +
          40 * wave * (c === 1 ? -1 : 1) +
          30 * Math.sin(x / (2 + c) + y / (5 - c)) +
          24 * noise() +
          60;
        pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  return pixels;
}

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
  13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52,
  45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...Array<number>(32).fill(99),
];

/** DC symbols: sizes 0-11. AC symbols: run/size pairs, EOB runs EOB0-EOB14, ZRL. */
const DC_SYMBOLS = Array.from({ length: 12 }, (_, i) => i);
const AC_SYMBOLS = [
  ...Array.from({ length: 16 * 10 }, (_, i) => (Math.floor(i / 10) << 4) | ((i % 10) + 1)),
  ...Array.from({ length: 15 }, (_, n) => n << 4),
  0xf0,
];

/**
 * A Huffman table giving every symbol a code of one length (4 bits for DC,
 * 8 for AC): valid, if not optimal. `variant` 1 assigns the codes in reverse
 * symbol order, so that decoding with the wrong table of the two shows.
 */
function table(symbols: number[], bits: number, variant: number) {
  const ordered = variant === 1 ? [...symbols].reverse() : symbols;
  const codes = new Map(ordered.map((symbol, i) => [symbol, i]));
  const counts = Array<number>(16).fill(0);
  counts[bits - 1] = ordered.length;
  return { counts, ordered, codes, bits };
}

class BitWriter {
  readonly bytes: number[] = [];
  #buffer = 0;
  #count = 0;

  put(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#buffer = (this.#buffer << 1) | ((value >> i) & 1);
      if (++this.#count === 8) {
        this.bytes.push(this.#buffer);
        if (this.#buffer === 0xff) this.bytes.push(0);
        this.#buffer = 0;
        this.#count = 0;
      }
    }
  }

  /** Pads to a byte with one-bits. */
  flush(): void {
    if (this.#count > 0) this.put(0xff, 8 - this.#count);
  }
}

const bitLength = (value: number) => (value === 0 ? 0 : 32 - Math.clz32(value));

interface Component {
  id: number;
  h: number;
  v: number;
  /** Blocks across and down, without MCU padding (what a one-component scan codes). */
  across: number;
  down: number;
  /** Blocks across in the padded grid (what interleaved scans code). */
  paddedAcross: number;
  /** Quantised coefficients, zigzag order, 64 per block of the padded grid. */
  coefficients: Int32Array;
}

/** Encodes RGB pixels (or, with one sampling entry, their luma) as a progressive JPEG. */
export function encodeProgressiveJpeg(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: ProgressiveJpegOptions = {},
): Buffer {
  const sampling = options.sampling ?? [
    [2, 2],
    [1, 1],
    [1, 1],
  ];
  const grey = sampling.length === 1;
  const scans = options.scans ?? (grey ? GREY_SCRIPT : LIBJPEG_SCRIPT);
  const quality = options.quality ?? 85;
  const maxH = Math.max(...sampling.map(([h]) => h));
  const maxV = Math.max(...sampling.map(([, v]) => v));
  const mcusAcross = Math.ceil(width / (8 * maxH));
  const mcusDown = Math.ceil(height / (8 * maxV));

  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  const quant = [LUMA_QUANT, CHROMA_QUANT].map((base) =>
    base.map((q) => Math.max(1, Math.min(255, Math.floor((q * scale + 50) / 100)))),
  );

  const planes = grey ? [lumaPlane(rgb, width, height)] : ycbcrPlanes(rgb, width, height);
  const components: Component[] = sampling.map(([h, v], i) => {
    const plane = planes[i] as Float64Array;
    const sampledWidth = Math.ceil((width * h) / maxH);
    const sampledHeight = Math.ceil((height * v) / maxV);
    const paddedAcross = mcusAcross * h;
    const paddedDown = mcusDown * v;
    const coefficients = new Int32Array(paddedAcross * paddedDown * 64);
    const q = quant[i === 0 ? 0 : 1] as number[];
    const samples = new Float64Array(64);
    for (let by = 0; by < paddedDown; by++) {
      for (let bx = 0; bx < paddedAcross; bx++) {
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            // Downsample by box averaging; pad by repeating the edge.
            const sx = Math.min(bx * 8 + x, sampledWidth - 1);
            const sy = Math.min(by * 8 + y, sampledHeight - 1);
            samples[y * 8 + x] = boxAverage(plane, width, height, sx, sy, maxH / h, maxV / v) - 128;
          }
        }
        const dct = forwardDct(samples);
        const block = (by * paddedAcross + bx) * 64;
        for (let k = 0; k < 64; k++) {
          const natural = ZIGZAG[k] as number;
          const value = Math.round((dct[natural] as number) / (q[natural] as number));
          coefficients[block + k] = Math.max(-1023, Math.min(1023, value));
        }
      }
    }
    return {
      id: i + 1,
      h,
      v,
      across: Math.ceil(sampledWidth / 8),
      down: Math.ceil(sampledHeight / 8),
      paddedAcross,
      coefficients,
    };
  });

  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: number[]) =>
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  if (options.orientation !== undefined) segment(0xe1, exifOrientation(options.orientation));
  segment(0xdb, [
    0x00,
    ...ZIGZAG.map((n) => quant[0]?.[n] as number),
    0x01,
    ...ZIGZAG.map((n) => quant[1]?.[n] as number),
  ]);
  segment(0xc2, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    components.length,
    ...components.flatMap((c, i) => [c.id, (c.h << 4) | c.v, i === 0 ? 0 : 1]),
  ]);

  let tables = [0, 1].map(() => ({
    dc: table(DC_SYMBOLS, 4, 0),
    ac: table(AC_SYMBOLS, 8, 0),
  }));
  const defineTables = (variant: number) => {
    tables = [0, 1].map(() => ({
      dc: table(DC_SYMBOLS, 4, variant),
      ac: table(AC_SYMBOLS, 8, variant),
    }));
    const body: number[] = [];
    tables.forEach(({ dc, ac }, slot) => {
      body.push(slot, ...dc.counts, ...dc.ordered, 0x10 | slot, ...ac.counts, ...ac.ordered);
    });
    segment(0xc4, body);
  };
  defineTables(0);

  let interval = 0;
  scans.forEach((spec, index) => {
    if (options.tablesEvery && index > 0 && index % options.tablesEvery === 0) {
      defineTables((index / options.tablesEvery) % 2);
    }
    const wanted =
      typeof options.restartInterval === 'function'
        ? options.restartInterval(index)
        : (options.restartInterval ?? 0);
    if (wanted !== interval) {
      interval = wanted;
      segment(0xdd, [interval >> 8, interval & 0xff]);
    }
    segment(0xda, [
      spec.components.length,
      ...spec.components.flatMap((c) => [c + 1, c === 0 ? 0x00 : 0x11]),
      spec.ss,
      spec.se,
      (spec.ah << 4) | spec.al,
    ]);
    out.push(...encodeScan(spec, components, tables, interval, mcusAcross, mcusDown));
  });
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}

type Tables = { dc: ReturnType<typeof table>; ac: ReturnType<typeof table> }[];

/** The entropy-coded data of one scan, restart markers included (jcphuff.c). */
function encodeScan(
  spec: ScanSpec,
  components: Component[],
  tables: Tables,
  restartInterval: number,
  mcusAcross: number,
  mcusDown: number,
): number[] {
  const writer = new BitWriter();
  const members = spec.components.map((i) => components[i] as Component);
  const tableOf = (c: Component) => tables[c.id === 1 ? 0 : 1] as Tables[number];
  const symbol = (t: ReturnType<typeof table>, value: number) => {
    const code = t.codes.get(value);
    if (code === undefined) throw new Error(`no code for symbol ${value}`);
    writer.put(code, t.bits);
  };
  const predictions = new Map<Component, number>();
  let eobRun = 0;
  let corrections: number[] = [];
  let acTable = tableOf(members[0] as Component).ac;

  const emitEobRun = () => {
    if (eobRun > 0) {
      const n = bitLength(eobRun) - 1;
      symbol(acTable, n << 4);
      if (n > 0) writer.put(eobRun & ((1 << n) - 1), n);
      eobRun = 0;
    }
    for (const bit of corrections) writer.put(bit, 1);
    corrections = [];
  };

  const encodeBlock = (c: Component, block: number) => {
    const coefficients = c.coefficients.subarray(block * 64, block * 64 + 64);
    acTable = tableOf(c).ac;
    if (spec.ss === 0) {
      if (spec.ah > 0) {
        writer.put(((coefficients[0] as number) >> spec.al) & 1, 1);
        return;
      }
      const value = (coefficients[0] as number) >> spec.al;
      const diff = value - (predictions.get(c) ?? 0);
      predictions.set(c, value);
      const size = bitLength(Math.abs(diff));
      symbol(tableOf(c).dc, size);
      if (size > 0) writer.put((diff < 0 ? diff - 1 : diff) & ((1 << size) - 1), size);
      return;
    }
    if (spec.ah === 0) {
      let run = 0;
      for (let k = spec.ss; k <= spec.se; k++) {
        const raw = coefficients[k] as number;
        const magnitude = Math.abs(raw) >> spec.al;
        if (magnitude === 0) {
          run++;
          continue;
        }
        emitEobRun();
        for (; run > 15; run -= 16) symbol(acTable, 0xf0);
        const size = bitLength(magnitude);
        symbol(acTable, (run << 4) | size);
        writer.put((raw < 0 ? ~magnitude : magnitude) & ((1 << size) - 1), size);
        run = 0;
      }
      if (run > 0 && ++eobRun === 0x7fff) emitEobRun();
      return;
    }
    // Refinement (G.1.2.3, jcphuff.c encode_mcu_AC_refine).
    const absolute: number[] = [];
    let lastNew = 0;
    for (let k = spec.ss; k <= spec.se; k++) {
      absolute[k] = Math.abs(coefficients[k] as number) >> spec.al;
      if (absolute[k] === 1) lastNew = k;
    }
    let run = 0;
    let pending: number[] = [];
    for (let k = spec.ss; k <= spec.se; k++) {
      const magnitude = absolute[k] as number;
      if (magnitude === 0) {
        run++;
        continue;
      }
      while (run > 15 && k <= lastNew) {
        emitEobRun();
        symbol(acTable, 0xf0);
        run -= 16;
        for (const bit of pending) writer.put(bit, 1);
        pending = [];
      }
      if (magnitude > 1) {
        pending.push(magnitude & 1);
        continue;
      }
      emitEobRun();
      symbol(acTable, (run << 4) | 1);
      writer.put((coefficients[k] as number) < 0 ? 0 : 1, 1);
      for (const bit of pending) writer.put(bit, 1);
      pending = [];
      run = 0;
    }
    if (run > 0 || pending.length > 0) {
      eobRun++;
      corrections.push(...pending);
      if (eobRun === 0x7fff || corrections.length > 1000 - 64 + 1) emitEobRun();
    }
  };

  const mcus: [Component, number][][] = [];
  if (members.length === 1) {
    const c = members[0] as Component;
    for (let by = 0; by < c.down; by++) {
      for (let bx = 0; bx < c.across; bx++) mcus.push([[c, by * c.paddedAcross + bx]]);
    }
  } else {
    for (let my = 0; my < mcusDown; my++) {
      for (let mx = 0; mx < mcusAcross; mx++) {
        mcus.push(
          members.flatMap((c) =>
            Array.from({ length: c.h * c.v }, (_, i): [Component, number] => [
              c,
              (my * c.v + Math.floor(i / c.h)) * c.paddedAcross + mx * c.h + (i % c.h),
            ]),
          ),
        );
      }
    }
  }

  const bytes: number[] = [];
  let restart = 0;
  mcus.forEach((blocks, i) => {
    if (restartInterval > 0 && i > 0 && i % restartInterval === 0) {
      emitEobRun();
      writer.flush();
      bytes.push(...writer.bytes.splice(0), 0xff, 0xd0 + restart);
      restart = (restart + 1) % 8;
      predictions.clear();
    }
    for (const [c, block] of blocks) encodeBlock(c, block);
  });
  emitEobRun();
  writer.flush();
  bytes.push(...writer.bytes);
  return bytes;
}

/** APP1 body: EXIF with one IFD0 entry, Orientation. */
function exifOrientation(orientation: number): number[] {
  return [
    ...Buffer.from('Exif\0\0', 'latin1'),
    ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08], // big-endian TIFF, IFD0 at 8
    ...[0x00, 0x01], // one entry
    ...[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00],
    ...[0x00, 0x00, 0x00, 0x00], // no next IFD
  ];
}

function ycbcrPlanes(rgb: Uint8Array, width: number, height: number): Float64Array[] {
  const planes = [0, 1, 2].map(() => new Float64Array(width * height));
  for (let i = 0; i < width * height; i++) {
    const r = rgb[i * 3] as number;
    const g = rgb[i * 3 + 1] as number;
    const b = rgb[i * 3 + 2] as number;
    (planes[0] as Float64Array)[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    (planes[1] as Float64Array)[i] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
    (planes[2] as Float64Array)[i] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
  }
  return planes;
}

function lumaPlane(rgb: Uint8Array, width: number, height: number): Float64Array {
  return ycbcrPlanes(rgb, width, height)[0] as Float64Array;
}

/** Mean of the full-resolution samples a subsampled sample covers, edges clamped. */
function boxAverage(
  plane: Float64Array,
  width: number,
  height: number,
  sx: number,
  sy: number,
  fx: number,
  fy: number,
): number {
  let sum = 0;
  for (let dy = 0; dy < fy; dy++) {
    for (let dx = 0; dx < fx; dx++) {
      const x = Math.min(sx * fx + dx, width - 1);
      const y = Math.min(sy * fy + dy, height - 1);
      sum += plane[y * width + x] as number;
    }
  }
  return sum / (fx * fy);
}

const COSINES = Array.from({ length: 64 }, (_, i) => {
  const [u, x] = [i >> 3, i & 7];
  return Math.cos(((2 * x + 1) * u * Math.PI) / 16) * (u === 0 ? Math.SQRT1_2 : 1) * 0.5;
});

/** The 8×8 forward DCT (natural order in and out), separable. */
function forwardDct(samples: Float64Array): Float64Array {
  const rows = new Float64Array(64);
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < 8; x++)
        sum += (samples[y * 8 + x] as number) * (COSINES[u * 8 + x] as number);
      rows[y * 8 + u] = sum;
    }
  }
  const out = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      for (let y = 0; y < 8; y++)
        sum += (rows[y * 8 + u] as number) * (COSINES[v * 8 + y] as number);
      out[v * 8 + u] = sum;
    }
  }
  return out;
}
