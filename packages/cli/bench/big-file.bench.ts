// flickr-cli with one very large file: a 5 GiB upload and download (a JPEG
// followed by padding; BENCH_BIG_FILE_GIB changes the size), the CLI's peak
// RSS against the same commands on a 1 MiB file (it must not grow with the
// file; target < 200 MB), and throughput against a plain undici PUT of the
// same bytes into a hashing sink, measured in the same run.
//
//   node --conditions=source packages/cli/bench/big-file.bench.ts
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlickrClient, MemoryUploadStateStore } from '@flickr-kit/sdk';
import sharp from 'sharp';
import { Agent, request } from 'undici';
import { startServerProcess } from '../../sdk/bench/bench-server.ts';
import { SINK_PATH, startHashingSink } from '../../server/bench/hashing-sink.ts';
import { describeMachine } from '../../server/bench/machine.ts';
import { buildCli, type CliRun, ciEnvironment, runCli } from './run-cli.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const size = Math.round(Number(process.env.BENCH_BIG_FILE_GIB ?? 5) * GiB);

/** A real JPEG, then `bytes` in all of padding after its end: decoders stop at the JPEG's end. */
async function bigJpeg(path: string, bytes: number): Promise<void> {
  const pixels = Buffer.alloc(800 * 600 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31) & 0xff;
  const jpeg = await sharp(pixels, { raw: { width: 800, height: 600, channels: 3 } })
    .jpeg()
    .toBuffer();
  const file = await open(path, 'w');
  try {
    await file.write(jpeg);
    const block = Buffer.alloc(16 * MiB);
    for (let i = 0; i < block.length; i++) block[i] = (i * 7 + (i >> 9)) & 0xff;
    let written = jpeg.length;
    while (written < bytes) {
      const { bytesWritten } = await file.write(block, 0, Math.min(block.length, bytes - written));
      written += bytesWritten;
    }
  } finally {
    await file.close();
  }
}

async function plainPut(path: string, dir: string): Promise<number> {
  const sink = await startHashingSink(dir);
  const address = sink.server.address() as { port: number };
  const agent = new Agent();
  const started = performance.now();
  const response = await request(`http://127.0.0.1:${address.port}${SINK_PATH}/big.bin`, {
    method: 'PUT',
    body: createReadStream(path, { highWaterMark: MiB }),
    headers: {
      'content-length': String((await stat(path)).size),
      'content-type': 'application/octet-stream',
    },
    dispatcher: agent,
  });
  await response.body.text();
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  await sink.close();
  return seconds;
}

async function main(): Promise<void> {
  buildCli();
  const work = await mkdtemp(join(tmpdir(), 'cli-big-'));
  const server = await startServerProcess({
    env: { FLICKR_MAX_UPLOAD_BYTES: String(size + 64 * MiB) },
  });
  try {
    console.log(
      `big file: ${(size / GiB).toFixed(1)} GiB (a JPEG and padding), flickr-cli upload then download against flickr-server (role all) in its own process; the baseline PUTs the same bytes with undici into a sink that hashes and writes them`,
    );
    console.log(describeMachine());
    const big = join(work, 'big', 'big.jpg');
    const small = join(work, 'small', 'small.jpg');
    await mkdir(join(work, 'big'));
    await mkdir(join(work, 'small'));
    const started = performance.now();
    await bigJpeg(big, size);
    await bigJpeg(small, MiB);
    console.log(`wrote the files in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const plainSeconds = await plainPut(big, join(work, 'sink'));
    await rm(join(work, 'sink'), { recursive: true, force: true });

    const env = await ciEnvironment(server.url, 'bigfile', work);
    const client = new FlickrClient({
      baseUrl: server.url,
      token: env.FLICKR_TOKEN,
      uploadStateStore: new MemoryUploadStateStore(),
    });

    const runs: [string, number, CliRun][] = [];
    for (const [label, folder, bytes] of [
      ['1 MiB', join(work, 'small'), MiB],
      [`${(size / GiB).toFixed(1)} GiB`, join(work, 'big'), size],
    ] as const) {
      const up = await runCli(['upload', folder, '--no-client-thumbnails', '--json'], env);
      if (up.code !== 0) throw new Error(`upload failed:\n${up.stdout}`);
      runs.push([`flickr-cli upload, ${label} (hash, check, send)`, bytes, up]);
      const photos = await client.photos.list('bigfile').toArray();
      await client.photos.waitUntilReadyMany(
        photos.map((p) => p.id),
        { timeoutMs: 3_600_000 },
      );
      const down = await runCli(['download', '--out', join(work, `out-${label}`)], env);
      if (down.code !== 0) throw new Error(`download failed:\n${down.stdout}`);
      runs.push([`flickr-cli download, ${label} (stream, verify SHA-256)`, bytes, down]);
      await rm(join(work, `out-${label}`), { recursive: true, force: true });
    }
    await client.close();

    const mibs = (bytes: number, seconds: number) => (bytes / MiB / seconds).toFixed(0);
    console.table([
      {
        measure: 'plain undici PUT into a hashing sink (baseline)',
        seconds: plainSeconds.toFixed(1),
        'MiB/s': mibs(size, plainSeconds),
        'peak RSS MiB': '',
        'vs baseline': '1.00×',
      },
      ...runs.map(([measure, bytes, run]) => ({
        measure,
        seconds: run.seconds.toFixed(1),
        'MiB/s': mibs(bytes, run.seconds),
        'peak RSS MiB': run.peakRssMiB.toFixed(0),
        'vs baseline': bytes === size ? `${(plainSeconds / run.seconds).toFixed(2)}×` : '',
      })),
    ]);
    for (const kind of ['upload', 'download']) {
      const [smallRun, bigRun] = runs
        .filter(([measure]) => measure.includes(kind))
        .map(([, , run]) => run);
      const peak = (bigRun as CliRun).peakRssMiB;
      console.log(
        `flickr-cli ${kind}: peak RSS ${peak.toFixed(0)} MiB with ${(size / GiB).toFixed(1)} GiB, ${(smallRun as CliRun).peakRssMiB.toFixed(0)} MiB with 1 MiB (target < 200 MB, not growing with the file): ${peak * MiB < 200e6 ? 'met' : 'MISSED'}`,
      );
    }
    console.log(
      '(the upload figure includes hashing the file before it is sent, which reads it once more)',
    );
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
