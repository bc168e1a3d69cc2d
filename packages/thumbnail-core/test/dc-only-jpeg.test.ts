import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dcOnlyCopy, frameMarker } from '../src/dc-only-jpeg.ts';
import { zeroAcScans } from '../src/zero-ac-scans.ts';
import { BLUE, flipBits, seededRandom, solid } from './generate.ts';
import { scanScript, segments, splice } from './jpeg-segments.ts';
import {
  encodeProgressiveJpeg,
  LIBJPEG_SCRIPT,
  manyScansScript,
  type ProgressiveJpegOptions,
  SPECTRAL_SCRIPT,
  SPLIT_SCRIPT,
  texture,
} from './progressive-jpeg.ts';

const WIDTH = 611;
const HEIGHT = 397;
const PIXELS = texture(WIDTH, HEIGHT);

const SAMPLING: Record<string, [number, number][]> = {
  '4:4:4': [
    [1, 1],
    [1, 1],
    [1, 1],
  ],
  '4:2:2': [
    [2, 1],
    [1, 1],
    [1, 1],
  ],
  '4:4:0': [
    [1, 2],
    [1, 1],
    [1, 1],
  ],
  '4:2:0': [
    [2, 2],
    [1, 1],
    [1, 1],
  ],
};

const encode = (options: ProgressiveJpegOptions = {}) =>
  encodeProgressiveJpeg(PIXELS, WIDTH, HEIGHT, options);
const copyOf = (jpeg: Uint8Array) => dcOnlyCopy(jpeg, () => true);

/**
 * Raw pixels of decodes at 1/8 scale, as the renderer's pipelines make them:
 * a target of at most 1/9 of the width makes libvips shrink on load by 8;
 * nearest-neighbour then keeps 8 of every 9 decoded pixels and lanczos3
 * mixes in all of them. `warning` fails on any libjpeg warning.
 */
async function atEighth(input: Uint8Array, failOn: 'error' | 'warning' = 'error') {
  const { autoOrient } = await sharp(input).metadata();
  const width = Math.floor(autoOrient.width / 9);
  return Promise.all(
    (['nearest', 'lanczos3'] as const).map((kernel) =>
      sharp(input, { failOn, autoOrient: true }).resize({ width, kernel }).raw().toBuffer(),
    ),
  );
}

/** The copy exists, decodes without a libjpeg warning, and to the very pixels of the file. */
async function expectSamePixels(jpeg: Uint8Array): Promise<Buffer> {
  const copy = await copyOf(jpeg);
  expect(copy, 'a DC-only copy').toBeDefined();
  expect(await atEighth(copy as Buffer, 'warning')).toEqual(await atEighth(jpeg));
  return copy as Buffer;
}

describe('dcOnlyCopy: the same pixels at 1/8 scale', () => {
  describe.each(Object.keys(SAMPLING))('%s', (layout) => {
    it.each([
      ['libjpeg', LIBJPEG_SCRIPT],
      ['spectral selection', SPECTRAL_SCRIPT],
      ['split DC and many AC bands', SPLIT_SCRIPT],
    ])('%s scan script, restart intervals 0, 1 and 7', async (_name, scans) => {
      for (const restartInterval of [0, 1, 7]) {
        const jpeg = encode({ sampling: SAMPLING[layout], scans, restartInterval, tablesEvery: 2 });
        const copy = await expectSamePixels(jpeg);
        expect(copy.length).toBeLessThan(jpeg.length / 2);
      }
    });
  });

  it('greyscale', async () => {
    for (const restartInterval of [0, 5]) {
      await expectSamePixels(encode({ sampling: [[1, 1]], restartInterval }));
    }
  });

  it('a few hundred scans, with restart intervals changing from scan to scan', async () => {
    const scans = manyScansScript(3, 2);
    expect(scans.length).toBeGreaterThan(300);
    await expectSamePixels(
      encode({
        sampling: SAMPLING['4:4:4'],
        scans,
        restartInterval: (scan) => [0, 3, 11][scan % 3] as number,
      }),
    );
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'EXIF orientation %i, kept and applied',
    async (orientation) => {
      const jpeg = encode({ sampling: SAMPLING['4:2:0'], orientation });
      const copy = await expectSamePixels(jpeg);
      expect((await sharp(copy).metadata()).orientation).toBe(orientation);
    },
  );

  it.each([
    ['libjpeg', { mozjpeg: false, chromaSubsampling: '4:2:0' }],
    ['libjpeg, 4:4:4', { mozjpeg: false, chromaSubsampling: '4:4:4' }],
    ['mozjpeg (optimised scans)', { mozjpeg: true, chromaSubsampling: '4:2:0' }],
    ['mozjpeg, 4:4:4, quality 95', { mozjpeg: true, chromaSubsampling: '4:4:4', quality: 95 }],
  ] as const)('progressive JPEGs as sharp writes them: %s', async (_name, options) => {
    const jpeg = await sharp(PIXELS, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .withIccProfile('p3')
      .jpeg({ progressive: true, ...options })
      .toBuffer();
    await expectSamePixels(jpeg);
  });

  it('keeps the AC scans of 4:2:0 chroma, which the 2×2 IDCT reads, and drops those of luma', async () => {
    const copy = await copyOf(encode({ sampling: SAMPLING['4:2:0'] }));
    expect(scanScript(copy as Buffer)).toEqual([
      '1,2,3 0-0 0/1',
      '3 1-63 0/1',
      '2 1-63 0/1',
      '1,2,3 0-0 1/0',
      '3 1-63 1/0',
      '2 1-63 1/0',
      '1 1-63 0/0', // the zero AC scan standing in for luma's six
    ]);
  });

  it('needs its zero AC scans: without them libjpeg smooths, and the DC values change', async () => {
    const jpeg = encode({ sampling: SAMPLING['4:4:4'] });
    const copy = (await copyOf(jpeg)) as Buffer;
    const blocks = Math.ceil(WIDTH / 8) * Math.ceil(HEIGHT / 8);
    const tail = zeroAcScans([1, 2, 3].map((id) => ({ id, blocks })));
    const zeroScansAt = copy.length - 2 - tail.length;
    expect(copy.subarray(zeroScansAt, -2)).toEqual(Buffer.from(tail));
    const dcScansOnly = splice(copy, zeroScansAt, copy.length - 2);
    expect(await atEighth(dcScansOnly)).not.toEqual(await atEighth(jpeg));
  });

  it('never lets damaged AC data of a dropped scan reach the pixels', async () => {
    // Restart markers keep each error to its own block, so libjpeg gives few warnings.
    const jpeg = encode({ sampling: SAMPLING['4:4:4'], restartInterval: 1 });
    const damaged = Buffer.from(jpeg);
    // The luma AC scan 6-63: a few bytes changed, but never to or next to an 0xFF.
    const scan = segments(jpeg).filter((s) => s.marker === 0xda)[4];
    if (!scan) throw new Error('no scan');
    const stride = Math.floor((scan.end - scan.data) / 5);
    for (let at = scan.data + 10; at < scan.end - 10; at += stride) {
      if (damaged[at] !== 0xff && damaged[at - 1] !== 0xff && (damaged[at] as number) < 0xf0) {
        damaged[at] = (damaged[at] as number) ^ 0x0a;
      }
    }
    // libjpeg warns (bad Huffman codes); the renderer does not fail on a few warnings.
    // (Past a few dozen, libvips gives up on the file: see render-dc-only.test.ts.)
    await expect(atEighth(damaged, 'warning')).rejects.toThrow(/Corrupt JPEG data/);
    expect(await copyOf(damaged)).toEqual(await copyOf(jpeg));
    expect(await atEighth((await copyOf(damaged)) as Buffer)).toEqual(await atEighth(damaged));
  });

  describe('from a file, through a window smaller than the file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dc-only-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('makes the same copy as from the bytes, wherever the window edges fall', async () => {
      const jpeg = encode({
        sampling: SAMPLING['4:4:4'],
        scans: manyScansScript(3),
        restartInterval: 3,
      });
      const sos = segments(jpeg).find((s) => s.marker === 0xda)?.start ?? 0;
      for (const pad of [1, 2, 3, 1000, 65_533]) {
        // A COM segment before the scans shifts every byte after it.
        const comment = [0xff, 0xfe, (pad + 2) >> 8, (pad + 2) & 0xff, ...Array(pad).fill(0x41)];
        const padded = splice(jpeg, sos, sos, comment);
        expect(padded.length).toBeGreaterThan(1 << 20);
        const path = join(dir, `padded-${pad}.jpg`);
        await writeFile(path, padded);
        const fromPath = await dcOnlyCopy(path, () => true);
        expect(fromPath).toBeDefined();
        expect(fromPath).toEqual(await copyOf(padded));
      }
    });
  });
});

describe('dcOnlyCopy: the normal path for anything else', () => {
  let jpeg: Buffer;
  let all: ReturnType<typeof segments>;
  const scanSegments = () => all.filter((s) => s.marker === 0xda);
  beforeAll(() => {
    jpeg = encode({ sampling: SAMPLING['4:2:0'], restartInterval: 4 });
    all = segments(jpeg);
  });

  const none = async (input: Uint8Array) => expect(await copyOf(input)).toBeUndefined();

  it('a baseline JPEG, and one the accept callback declines, with only the header read', async () => {
    await none(
      await sharp(PIXELS, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
        .jpeg()
        .toBuffer(),
    );
    const seen: unknown[] = [];
    // Everything after the frame header is garbage: declining must not read it.
    const sof = all.find((s) => s.marker === 0xc2) as ReturnType<typeof segments>[number];
    const headerOnly = Buffer.concat([jpeg.subarray(0, sof.end), Buffer.alloc(100, 0x00)]);
    const declined = await dcOnlyCopy(headerOnly, (frame) => {
      seen.push({ width: frame.width, height: frame.height });
      return false;
    });
    expect(declined).toBeUndefined();
    expect(seen).toEqual([{ width: WIDTH, height: HEIGHT }]);
  });

  it('tells baseline from progressive from the first bytes, when they reach the frame', async () => {
    const baseline = await sharp(PIXELS, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .withMetadata({ orientation: 3 })
      .jpeg()
      .toBuffer();
    expect(frameMarker(baseline.subarray(0, 1 << 14))).toBe(0xc0);
    expect(frameMarker(jpeg.subarray(0, 1 << 14))).toBe(0xc2);
    expect(frameMarker(jpeg.subarray(0, 100))).toBeUndefined();
    expect(frameMarker(Buffer.from([0xff, 0xd8, 0x00, 0x00, 0x00]))).toBeUndefined();
  });

  it('a truncated file, cut anywhere', async () => {
    for (let length = 0; length < jpeg.length; length += 211) await none(jpeg.subarray(0, length));
    for (const s of all) {
      for (const cut of [s.start + 1, s.start + 3]) {
        if (cut < jpeg.length) await none(jpeg.subarray(0, cut));
      }
    }
    await none(jpeg.subarray(0, jpeg.length - 1));
  });

  it('bogus segment lengths', async () => {
    for (const s of all.filter((x) => x.marker !== 0xd9)) {
      const length = s.data - s.start - 2;
      for (const bogus of [0, 1, length - 1, length + 1, 0xffff]) {
        await none(splice(jpeg, s.start + 2, s.start + 4, [bogus >> 8, bogus & 0xff]));
      }
    }
  });

  it('more scans than any encoder writes', async () => {
    const scans = manyScansScript(3, 6);
    expect(scans.length).toBeGreaterThan(1000);
    await none(
      encodeProgressiveJpeg(texture(48, 32), 48, 32, { sampling: SAMPLING['4:4:4'], scans }),
    );
  });

  it('restart markers out of sequence, missing, extra, or without a restart interval', async () => {
    const data = scanSegments()[0] as ReturnType<typeof segments>[number];
    const rst = jpeg.indexOf(Buffer.from([0xff, 0xd0]), data.data);
    expect(rst).toBeGreaterThan(0);
    await none(splice(jpeg, rst, rst + 2, [0xff, 0xd1]));
    await none(splice(jpeg, rst, rst + 2));
    await none(splice(jpeg, rst, rst, [0xff, 0xd0]));
    const dri = all.find((s) => s.marker === 0xdd) as ReturnType<typeof segments>[number];
    await none(splice(jpeg, dri.start, dri.end));
  });

  it('0xFF where libjpeg would read it differently', async () => {
    const data = scanSegments()[1] as ReturnType<typeof segments>[number];
    const stuffed = jpeg.indexOf(Buffer.from([0xff, 0x00]), data.data);
    expect(stuffed).toBeGreaterThan(0);
    // Fill bytes before a stuffed 0xFF or a restart marker, markers below 0xC0.
    await none(splice(jpeg, stuffed, stuffed, [0xff]));
    await none(splice(jpeg, stuffed, stuffed + 2, [0xff, 0x01]));
    await none(splice(jpeg, stuffed, stuffed + 2, [0xff, 0x7f]));
    // Bytes between segments, which libjpeg skips with a warning.
    const dqt = all.find((s) => s.marker === 0xdb) as ReturnType<typeof segments>[number];
    await none(splice(jpeg, dqt.end, dqt.end, [0x00, 0x12]));
  });

  it('but fill bytes before a marker are read as libjpeg reads them', async () => {
    const data = scanSegments()[1] as ReturnType<typeof segments>[number];
    await expectSamePixels(splice(jpeg, data.end, data.end, [0xff, 0xff, 0xff]));
  });

  it('data after EOI, and a multi-picture index whose offsets the copy would move', async () => {
    await none(Buffer.concat([jpeg, Buffer.from([0x00])]));
    await none(Buffer.concat([jpeg, jpeg]));
    const mpf = [0xff, 0xe2, 0x00, 0x0a, ...Buffer.from('MPF\0', 'latin1'), 0x4d, 0x4d, 0x00, 0x2a];
    await none(splice(jpeg, 2, 2, mpf));
  });

  it('a progression libjpeg would warn about, or an incomplete one', async () => {
    const scans = scanSegments();
    const [dc, firstAc] = scans as [
      ReturnType<typeof segments>[number],
      ReturnType<typeof segments>[number],
    ];
    const last = scans.at(-1) as ReturnType<typeof segments>[number];
    // An AC scan before any DC scan.
    const acFirst = Buffer.concat([
      jpeg.subarray(0, dc.start),
      jpeg.subarray(firstAc.start, firstAc.end),
      jpeg.subarray(dc.start, firstAc.start),
      jpeg.subarray(firstAc.end),
    ]);
    await none(acFirst);
    // A scan twice; the last refinement missing.
    await none(splice(jpeg, firstAc.end, firstAc.end, jpeg.subarray(firstAc.start, firstAc.end)));
    await none(splice(jpeg, last.start, last.end));
    // A refinement with Al ≠ Ah - 1 (the DC refinement, 1/0, as 2/0).
    const refinement = scans[6] as ReturnType<typeof segments>[number];
    const approximation = refinement.start + 4 + 1 + 2 * 3 + 2;
    expect(jpeg[approximation]).toBe(0x10);
    await none(splice(jpeg, approximation, approximation + 1, [0x20]));
  });

  it('Huffman or quantisation tables libjpeg would refuse, or missing', async () => {
    const dht = all.find((s) => s.marker === 0xc4) as ReturnType<typeof segments>[number];
    const dqt = all.find((s) => s.marker === 0xdb) as ReturnType<typeof segments>[number];
    // DC table 0 (the first in the segment): 12 codes of 4 bits; 17 of them cannot exist.
    await none(splice(jpeg, dht.start + 8, dht.start + 9, [17]));
    // A DC symbol above 15.
    await none(splice(jpeg, dht.start + 21, dht.start + 22, [16]));
    // Table class 2.
    await none(splice(jpeg, dht.start + 4, dht.start + 5, [0x20]));
    await none(splice(jpeg, dht.start, dht.end));
    await none(splice(jpeg, dqt.start, dqt.end));
    // A scan that uses AC table 3, never defined.
    const firstAc = scanSegments()[1] as ReturnType<typeof segments>[number];
    await none(splice(jpeg, firstAc.start + 6, firstAc.start + 7, [0x03]));
  });

  it('frames outside the tested layouts', async () => {
    const sof = all.find((s) => s.marker === 0xc2) as ReturnType<typeof segments>[number];
    await none(splice(jpeg, sof.start + 1, sof.start + 2, [0xca])); // arithmetic coding
    await none(splice(jpeg, sof.start + 4, sof.start + 5, [12])); // 12-bit samples
    await none(splice(jpeg, sof.start + 5, sof.start + 7, [0, 0])); // height from a DNL marker
    await none(splice(jpeg, sof.start, sof.start, jpeg.subarray(sof.start, sof.end))); // two frames
    const wide = encode({
      sampling: [
        [4, 1],
        [1, 1],
        [1, 1],
      ],
    });
    expect(await atEighth(wide)).toHaveLength(2); // libjpeg decodes it, through the normal path
    await none(wide);
  });

  it('random damage: either no copy, or the full file decodes to the same pixels', async () => {
    const small = encode({ sampling: SAMPLING['4:2:2'], restartInterval: 9 });
    const random = seededRandom(7);
    let copies = 0;
    for (let round = 0; round < 60; round++) {
      const damaged = flipBits(small, 1 + (round % 4), 2, random);
      const copy = await copyOf(damaged);
      if (!copy) continue;
      copies++;
      expect(await atEighth(copy)).toEqual(await atEighth(damaged));
    }
    expect(copies).toBeGreaterThan(10);
  });

  it('an input it cannot read at all', async () => {
    expect(await dcOnlyCopy('/nonexistent/photo.jpg', () => true)).toBeUndefined();
    await none(Buffer.alloc(0));
    await none(await solid(8, 8, BLUE));
  });
});
