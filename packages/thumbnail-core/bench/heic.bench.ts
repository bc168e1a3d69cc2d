// HEIC against JPEG on the same photographs: each corpus JPEG is encoded to
// HEIC once (heif-enc, Debian's libheif-examples; cached in the temporary
// folder), then both are thumbnailed by thumbnail-core in this one process,
// the JPEG baseline first. HEIC decodes whole in WebAssembly on a worker
// thread; a JPEG decodes at 1/8 scale in libjpeg: the table says what that
// difference costs. Prints figures, never fails.
//
//   node --conditions=source packages/thumbnail-core/bench/heic.bench.ts
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { probe, renderRenditions } from '../src/index.ts';
import { photoCorpus } from './photo-corpus.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CACHE = join(tmpdir(), 'flickr-kit-heic-bench');
const run = promisify(execFile);

function haveHeifEnc(): boolean {
  const probe = spawnSync('heif-enc', ['--list-encoders'], { encoding: 'utf8' });
  return probe.status === 0 && /x265/.test(probe.stdout);
}

/** The HEIC version of a corpus JPEG, encoded the first time it is asked for. */
async function heicOf(jpeg: string): Promise<string> {
  const heic = join(CACHE, `${basename(jpeg, '.jpg')}.heic`);
  if (existsSync(heic)) return heic;
  const partial = `${heic}.partial`;
  await run('heif-enc', ['-q', '50', jpeg, '-o', partial]);
  await rename(partial, heic);
  return heic;
}

/** Seconds per thumbnail of each file: a warm-up, then the median of ROUNDS renders. */
async function measure(files: string[]): Promise<number[]> {
  const seconds: number[] = [];
  for (const file of files) {
    await renderRenditions(file);
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await renderRenditions(file);
      times.push((performance.now() - started) / 1000);
    }
    times.sort((a, b) => a - b);
    seconds.push(times[Math.floor(times.length / 2)] as number);
  }
  return seconds;
}

async function main(): Promise<void> {
  const corpus = await photoCorpus();
  if (!corpus || corpus.length === 0) {
    console.log(
      'heic: skipped, no photo corpus (run ../shared/tools/photo-corpus.sh or set FLICKR_PHOTO_CORPUS)',
    );
    return;
  }
  if (!haveHeifEnc()) {
    console.log(
      'heic: skipped, no HEVC encoder to make the HEIC versions (apt-get install libheif-examples)',
    );
    return;
  }
  const limit = Number(process.env.BENCH_HEIC_PHOTOS ?? corpus.length);
  const jpegs = corpus.slice(0, limit);
  await mkdir(CACHE, { recursive: true });
  const missing = jpegs.filter(
    (jpeg) => !existsSync(join(CACHE, `${basename(jpeg, '.jpg')}.heic`)),
  );
  if (missing.length > 0) {
    console.log(`heic: encoding ${missing.length} photographs to HEIC once, into ${CACHE}…`);
  }
  const heics: string[] = [];
  for (const jpeg of jpegs) heics.push(await heicOf(jpeg));

  const sizes = await Promise.all(jpegs.map((file) => probe(file)));
  const megapixels = sizes.map(({ width, height }) => (width * height) / 1e6);
  const bytes = async (files: string[]) =>
    (await Promise.all(files.map((file) => stat(file)))).reduce((sum, s) => sum + s.size, 0);
  console.log(
    `heic: ${jpegs.length} photographs, ${Math.min(...megapixels).toFixed(1)}-${Math.max(...megapixels).toFixed(1)} MP, ` +
      `${((await bytes(jpegs)) / 2 ** 20).toFixed(0)} MiB as JPEG, ${((await bytes(heics)) / 2 ** 20).toFixed(0)} MiB as HEIC (heif-enc -q 50); ` +
      `default thumbnail, median of ${ROUNDS} after a warm-up, one image at a time`,
  );

  const jpegSeconds = await measure(jpegs);
  const jpegPeak = process.resourceUsage().maxRSS / 1024;
  const heicSeconds = await measure(heics);
  const heicPeak = process.resourceUsage().maxRSS / 1024;

  const ms = (s: number) => (s * 1000).toFixed(1);
  console.table(
    jpegs.map((jpeg, i) => {
      const mp = megapixels[i] as number;
      const j = jpegSeconds[i] as number;
      const h = heicSeconds[i] as number;
      return {
        photograph: basename(jpeg, '.jpg'),
        MP: mp.toFixed(1),
        'JPEG ms': ms(j),
        'HEIC ms': ms(h),
        'JPEG ms/MP': ms(j / mp),
        'HEIC ms/MP': ms(h / mp),
        'HEIC / JPEG': `${(h / j).toFixed(1)}×`,
      };
    }),
  );
  const total = (seconds: number[]) => seconds.reduce((sum, s) => sum + s, 0);
  const allMegapixels = megapixels.reduce((sum, mp) => sum + mp, 0);
  console.table({
    JPEG: {
      'thumbnails/s': (jpegs.length / total(jpegSeconds)).toFixed(1),
      'ms/MP': ms(total(jpegSeconds) / allMegapixels),
      'peak RSS MiB (process)': jpegPeak.toFixed(0),
    },
    HEIC: {
      'thumbnails/s': (heics.length / total(heicSeconds)).toFixed(1),
      'ms/MP': ms(total(heicSeconds) / allMegapixels),
      'peak RSS MiB (process)': heicPeak.toFixed(0),
    },
  });
  console.log(
    `heic: HEIC thumbnails take ${(total(heicSeconds) / total(jpegSeconds)).toFixed(1)}× the time of the same photographs' JPEG ones`,
  );
}

await main();
