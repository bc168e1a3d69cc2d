// Images generated at test time, so the suites need nothing from outside the repo.
import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

export type Rgb = readonly [number, number, number];

export const RED: Rgb = [220, 30, 30];
export const GREEN: Rgb = [30, 200, 60];
export const BLUE: Rgb = [30, 60, 220];
export const WHITE: Rgb = [250, 250, 250];

/** Quadrant colours, top-left, top-right, bottom-left, bottom-right: asymmetric under every flip and turn. */
export const QUADRANTS: readonly [Rgb, Rgb, Rgb, Rgb] = [RED, GREEN, BLUE, WHITE];

/** Raw RGB pixels of an upright width × height image split into the four {@link QUADRANTS}. */
export function quadrantPixels(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = QUADRANTS[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] as Rgb;
      pixels.set(colour, (y * width + x) * 3);
    }
  }
  return pixels;
}

/**
 * The pixels a camera stores for an upright image when it tags the file with
 * `orientation`, per the EXIF specification: for each stored pixel, which
 * displayed pixel it is. Written independently of libvips, so the tests do
 * not check libvips against itself.
 */
export function storeWithOrientation(
  upright: Buffer,
  width: number,
  height: number,
  orientation: number,
): { pixels: Buffer; width: number; height: number } {
  const swapped = orientation >= 5;
  const storedWidth = swapped ? height : width;
  const storedHeight = swapped ? width : height;
  const W = width - 1;
  const H = height - 1;
  const source: Record<number, (x: number, y: number) => [number, number]> = {
    1: (x, y) => [x, y],
    2: (x, y) => [W - x, y],
    3: (x, y) => [W - x, H - y],
    4: (x, y) => [x, H - y],
    5: (x, y) => [y, x],
    6: (x, y) => [W - y, x],
    7: (x, y) => [W - y, H - x],
    8: (x, y) => [y, H - x],
  };
  const map = source[orientation];
  if (!map) throw new RangeError(`orientation ${orientation}`);
  const pixels = Buffer.alloc(upright.length);
  for (let y = 0; y < storedHeight; y++) {
    for (let x = 0; x < storedWidth; x++) {
      const [dx, dy] = map(x, y);
      const from = (dy * width + dx) * 3;
      pixels.set(upright.subarray(from, from + 3), (y * storedWidth + x) * 3);
    }
  }
  return { pixels, width: storedWidth, height: storedHeight };
}

/** An upright quadrant image stored as a JPEG with the given EXIF orientation. */
export async function orientedJpeg(
  width: number,
  height: number,
  orientation: number,
): Promise<Buffer> {
  const stored = storeWithOrientation(quadrantPixels(width, height), width, height, orientation);
  return sharp(stored.pixels, { raw: { width: stored.width, height: stored.height, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation })
    .toBuffer();
}

export function solid(
  width: number,
  height: number,
  colour: Rgb,
  format: 'jpeg' | 'png' | 'webp' | 'tiff' | 'avif' | 'gif' = 'png',
): Promise<Buffer> {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .toFormat(format)
    .toBuffer();
}

export function quadrantImage(width: number, height: number): Sharp {
  return sharp(quadrantPixels(width, height), { raw: { width, height, channels: 3 } });
}

/** A PNG whose left half is opaque red and right half fully transparent. */
export function halfTransparentPng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width / 2; x++) pixels.set([...RED, 255], (y * width + x) * 4);
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** A two-frame animated GIF: a red frame, then a blue one. */
export function twoFrameGif(width: number, height: number): Promise<Buffer> {
  const frame = (colour: Rgb) =>
    Buffer.alloc(width * height * 3).map((_, i) => colour[i % 3] as number);
  return sharp(Buffer.concat([frame(RED), frame(BLUE)]), {
    raw: { width, height: height * 2, channels: 3, pageHeight: height },
  })
    .gif({ loop: 0, delay: [200, 200] })
    .toBuffer();
}

/**
 * A decompression bomb: a valid PNG header declaring width × height pixels,
 * followed by a few kilobytes of compressed zeros. Decoding it would need
 * gigabytes; refusing it needs only the header.
 */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  // 64 rows of zeros (a filter byte per row): the rest of the image never arrives.
  const rows = deflateSync(Buffer.alloc((width + 1) * 64), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Mean colour of each quadrant of a decoded image, for tolerant comparisons of lossy output. */
export async function quadrantMeans(image: Buffer): Promise<[Rgb, Rgb, Rgb, Rgb]> {
  const { data, info } = await sharp(image)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sums = [0, 1, 2, 3].map(() => [0, 0, 0, 0]); // r, g, b, count
  // Skip a one-pixel band around the middle lines, where resampling blends quadrants.
  const midX = info.width / 2;
  const midY = info.height / 2;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (Math.abs(x + 0.5 - midX) < 1.5 || Math.abs(y + 0.5 - midY) < 1.5) continue;
      const sum = sums[(y < midY ? 0 : 2) + (x < midX ? 0 : 1)] as number[];
      const at = (y * info.width + x) * info.channels;
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (data[at + c] as number);
      sum[3] = (sum[3] as number) + 1;
    }
  }
  return sums.map(([r, g, b, n]) => [
    Math.round((r as number) / (n as number)),
    Math.round((g as number) / (n as number)),
    Math.round((b as number) / (n as number)),
  ]) as unknown as [Rgb, Rgb, Rgb, Rgb];
}

export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(...a.map((value, i) => Math.abs(value - (b[i] as number))));
}

/**
 * A deterministic stream of numbers in [0, 1) from `seed` (a linear
 * congruential generator), so that randomised damage is the same on every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** A copy of `bytes` with `count` single bits flipped, each at a `random` byte from `from` on. */
export function flipBits(
  bytes: Uint8Array,
  count: number,
  from: number,
  random: () => number,
): Buffer {
  const damaged = Buffer.from(bytes);
  for (let flip = 0; flip < count; flip++) {
    const at = from + Math.floor(random() * (damaged.length - from));
    damaged[at] = (damaged[at] as number) ^ (1 << Math.floor(random() * 8));
  }
  return damaged;
}
