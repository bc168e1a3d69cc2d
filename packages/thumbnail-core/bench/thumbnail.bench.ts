// Thumbnail throughput on real photographs: thumbnail-core against the same
// work done with plain sharp calls, and ImageMagick's `convert -thumbnail 50x`
// where it is installed. Each contender runs in its own process so that its
// peak RSS is its own.
//
//   node --conditions=source packages/thumbnail-core/bench/thumbnail.bench.ts
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { type RenditionSpec, renderRenditions, THUMBNAIL_SPEC } from '../src/index.ts';
import { pngBomb } from '../test/generate.ts';
import { photoCorpus } from './photo-corpus.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const run = promisify(execFile);

/** What a contender process reports: seconds per file (summed over rounds) and its peak RSS. */
interface Result {
  secondsPerFile: number[];
  peakRssMiB: number;
}

const LADDER: RenditionSpec[] = [
  THUMBNAIL_SPEC,
  { name: 'medium', width: 500 },
  { name: 'large', width: 1024 },
];

/** The same work as thumbnail-core's default spec, written directly against sharp. */
const plainSharpThumbnail = (path: string, width: number, height?: number) =>
  sharp(path)
    .rotate()
    .resize({ width, ...(height ? { height } : {}), fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80 })
    .toBuffer();

/** Each contender thumbnails one file; ImageMagick's also returns its process's peak RSS in KiB. */
const contenders: Record<string, (file: string, out: string) => Promise<unknown>> = {
  'thumbnail-core': (file) => renderRenditions(file),
  'plain sharp': (file) => plainSharpThumbnail(file, 50, 500),
  'thumbnail-core, 3 sizes': (file) => renderRenditions(file, LADDER),
  'plain sharp, 3 sizes': async (file) => {
    for (const spec of LADDER) await plainSharpThumbnail(file, spec.width ?? 50, spec.height);
  },
  'ImageMagick convert': async (file, out) => {
    const { stderr } = await run('/usr/bin/time', [
      '-f',
      '%M',
      'convert',
      file,
      '-thumbnail',
      '50x',
      out,
    ]);
    return Number(stderr.trim().split('\n').at(-1));
  },
};

async function measure(name: string, files: string[]): Promise<Result> {
  const work = contenders[name];
  if (!work) throw new Error(`unknown contender ${name}`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-thumbnail-'));
  const out = join(dir, 'out.jpg');
  const secondsPerFile = files.map(() => 0);
  let childPeakKiB = 0;
  try {
    for (const file of files) await work(file, out); // warm-up: file cache, libvips start-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, file] of files.entries()) {
        const started = performance.now();
        const childKiB = await work(file, out);
        secondsPerFile[i] = (secondsPerFile[i] as number) + (performance.now() - started) / 1000;
        if (typeof childKiB === 'number') childPeakKiB = Math.max(childPeakKiB, childKiB);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const ownKiB = process.resourceUsage().maxRSS;
  return { secondsPerFile, peakRssMiB: (childPeakKiB || ownKiB) / 1024 };
}

function haveImageMagick(): boolean {
  const probe = spawnSync('convert', ['-version'], { encoding: 'utf8' });
  return probe.status === 0 && /ImageMagick/.test(probe.stdout) && /^Version:/m.test(probe.stdout);
}

const BASELINE_OF: Record<string, string> = {
  'thumbnail-core': 'plain sharp',
  'thumbnail-core, 3 sizes': 'plain sharp, 3 sizes',
  'ImageMagick convert': 'thumbnail-core',
};

async function main(): Promise<void> {
  const contender = process.argv[2];
  const files = await photoCorpus();
  if (contender) {
    process.stdout.write(JSON.stringify(await measure(contender, files ?? [])));
    return;
  }
  if (!files || files.length === 0) {
    console.log(
      'thumbnail: skipped, no photo corpus (run ../shared/tools/photo-corpus.sh or set FLICKR_PHOTO_CORPUS)',
    );
    return;
  }
  const headers = await Promise.all(files.map((file) => sharp(file).metadata()));
  const megapixels = headers.map(({ width, height }) => (width * height) / 1e6);
  const bytes = (await Promise.all(files.map((file) => stat(file)))).reduce(
    (sum, s) => sum + s.size,
    0,
  );
  console.log(
    `thumbnail: ${files.length} JPEG photographs, ${Math.min(...megapixels).toFixed(1)}-${Math.max(...megapixels).toFixed(1)} MP, ` +
      `${(bytes / 2 ** 20).toFixed(0)} MiB, ${ROUNDS} rounds after a warm-up, one image at a time`,
  );

  const names = Object.keys(contenders).filter(
    (name) => name !== 'ImageMagick convert' || haveImageMagick(),
  );
  const results = new Map<string, Result>();
  for (const name of names) {
    const self = fileURLToPath(import.meta.url);
    const { stdout } = await run(process.execPath, ['--conditions=source', self, name], {
      maxBuffer: 1 << 20,
    });
    results.set(name, JSON.parse(stdout) as Result);
  }

  // Progressive JPEGs cost the most to decode (plain sharp and ImageMagick entropy-decode
  // every scan; thumbnail-core skips the AC scans at 1/8 scale), so they get their own columns.
  const classes = {
    all: files.map((_, i) => i),
    baseline: headers.flatMap((h, i) => (h.isProgressive ? [] : [i])),
    progressive: headers.flatMap((h, i) => (h.isProgressive ? [i] : [])),
  };
  const rate = (r: Result, indices: number[]) =>
    (indices.length * ROUNDS) /
    indices.reduce((sum, i) => sum + (r.secondsPerFile[i] as number), 0);
  const ratio = (name: string, indices: number[]) => {
    const base = results.get(BASELINE_OF[name] ?? '');
    const own = results.get(name);
    return base && own && indices.length > 0
      ? `${(rate(own, indices) / rate(base, indices)).toFixed(2)}×`
      : '';
  };
  console.table(
    [...results].map(([name, r]) => ({
      contender: name,
      'images/s': rate(r, classes.all).toFixed(1),
      [`baseline JPEG (${classes.baseline.length})`]: rate(r, classes.baseline).toFixed(1),
      [`progressive JPEG (${classes.progressive.length})`]: rate(r, classes.progressive).toFixed(1),
      'peak RSS MiB': r.peakRssMiB.toFixed(0),
      'vs baseline (all / baseline JPEG / progressive)': BASELINE_OF[name]
        ? `${ratio(name, classes.all)} / ${ratio(name, classes.baseline)} / ${ratio(name, classes.progressive)} of ${BASELINE_OF[name]}`
        : '',
    })),
  );
  const core = results.get('thumbnail-core');
  const im = results.get('ImageMagick convert');
  if (core && im) {
    const speedup = (indices: number[]) => (rate(core, indices) / rate(im, indices)).toFixed(1);
    console.log(
      `thumbnail-core vs ImageMagick (target ≥ 5×): ${speedup(classes.all)}× overall, ` +
        `${speedup(classes.baseline)}× on baseline JPEGs, ${speedup(classes.progressive)}× on progressive JPEGs`,
    );
  } else {
    console.log('ImageMagick: not installed (apt-get install imagemagick), its row is left out');
  }
  if (core) {
    const plain = results.get('plain sharp');
    if (plain)
      console.log(
        `thumbnail-core vs plain sharp (target ≥ 0.95): ${ratio('thumbnail-core', classes.all)}`,
      );
  }

  const bomb = pngBomb(50_000, 50_000);
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const refused = await renderRenditions(bomb).catch((error: unknown) => error);
  console.log(
    `refusing a ${(bomb.length / 1024).toFixed(1)} KiB 50,000×50,000 PNG bomb: ` +
      `${(performance.now() - started).toFixed(1)} ms, RSS +${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(1)} MiB ` +
      `(${(refused as Error).name})`,
  );
}

await main();
