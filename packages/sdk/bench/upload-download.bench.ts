// uploadMany of 200 real photographs (varied to unique hashes) against the
// same bytes sent with plain undici PUTs to a minimal Fastify sink that
// hashes and writes them; then the all-duplicates rerun, the saga draining
// afterwards, and downloadMany of thumbnails and originals.
//
// The server runs in its own process with role `serve` while uploads are
// measured, so its saga worker does not render thumbnails on the same cores
// during the transfer; a `worker` process on the same data folder drains the
// saga afterwards, timed on its own ("time to ready"). Both the sink and the
// server keep what they received, and dirty pages are written back before
// each measurement starts, so neither pays for the other's writes. Bytes
// sent are counted on the client's sockets (headers included), not from
// progress events. After both contenders warmed up on 20 other files,
// baseline and uploadMany alternate for BENCH_ROUNDS rounds (default 5) and
// the medians are compared: other work on a shared machine moves single
// measurements a lot.
//
//   node --conditions=source packages/sdk/bench/upload-download.bench.ts
//   BENCH_PHOTOS=200 BENCH_ROUNDS=5 BENCH_CPU_PROF=/tmp/prof ... (server CPU profiles)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import { request } from 'undici';
import { photoCorpus } from '../../thumbnail-core/bench/photo-corpus.ts';
import { FlickrClient, MemoryUploadStateStore, type UploadManyOptions } from '../src/index.ts';
import { startServerProcess } from './bench-server.ts';
import { countingAgent } from './wire-counter.ts';

const COUNT = Number(process.env.BENCH_PHOTOS ?? 200);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const WARMUP = 20;
const TARGET = 0.8;
const MiB = 2 ** 20;

/** A copy of a JPEG with a unique comment segment right after SOI: valid, and a new hash. */
function variant(jpeg: Buffer, n: number): Buffer {
  const text = Buffer.from(`flickr-kit bench copy ${n}`);
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

async function sink(dir: string) {
  const app = Fastify();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.put('/sink/:name', async (req) => {
    const hash = createHash('sha256');
    const out = createWriteStream(join(dir, (req.params as { name: string }).name));
    req.raw.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(req.raw, out);
    return { sha256: hash.digest('hex') };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    app,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  };
}

/**
 * Writes dirty pages back before a measurement starts, so that neither
 * contender pays for the other's writes (both keep what they received).
 */
const settleDisk = () => execFileSync('sync');

const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const corpus = await photoCorpus();
  if (!corpus?.length) {
    console.log(
      'upload-download: skipped, no photo corpus (run ../shared/tools/photo-corpus.sh or set FLICKR_PHOTO_CORPUS)',
    );
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'sdk-bench-'));
  const folder = join(work, 'photos');
  await mkdir(folder);
  const sources = await Promise.all(corpus.map((path) => readFile(path)));
  const files: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const path = join(folder, `photo-${String(i).padStart(3, '0')}.jpg`);
    await writeFile(path, variant(sources[i % sources.length] as Buffer, i));
    files.push(path);
  }
  // Other copies (other hashes) that warm both contenders' code paths before anything is timed.
  const warmup: string[] = [];
  for (let i = 0; i < WARMUP; i++) {
    const path = join(folder, `warmup-${i}.jpg`);
    await writeFile(path, variant(sources[i % sources.length] as Buffer, COUNT + i));
    warmup.push(path);
  }
  const totalBytes = (await Promise.all(files.map((f) => stat(f)))).reduce(
    (sum, s) => sum + s.size,
    0,
  );
  console.log(
    `upload-download: ${COUNT} photos from ${corpus.length} real photographs, ${(totalBytes / MiB).toFixed(0)} MiB, one transfer at a time (the server's default policy), ${ROUNDS} rounds`,
  );

  const sinkDir = join(work, 'sink');
  await mkdir(sinkDir);
  const target = await sink(sinkDir);
  /**
   * The same bytes, PUT one at a time with undici into a sink that hashes and
   * writes them, each run into new files, as the server's uploads are.
   */
  let runs = 0;
  const baseline = async (batch = files) => {
    runs++;
    const wire = countingAgent();
    settleDisk();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const file of batch) {
      const { size } = await stat(file);
      const response = await request(`${target.url}/sink/${runs}-${file.split('/').at(-1)}`, {
        method: 'PUT',
        body: createReadStream(file),
        headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
        dispatcher: wire.agent,
      });
      await response.body.text();
    }
    const ms = performance.now() - started;
    const sent = wire.bytesWritten();
    await wire.agent.close();
    return { ms, sent, cpu: cpuSeconds(process.cpuUsage(cpu)) };
  };

  const server = await startServerProcess({ role: 'serve' });
  const anonymous = new FlickrClient({ baseUrl: server.url });
  let users = 0;
  /** A new user (nothing uploaded yet) with a client counting its bytes on the wire. */
  const newUser = async () => {
    users++;
    const { token } = await anonymous.auth.register(`bench${users}`, 'a long passphrase');
    const wire = countingAgent({ connections: 32 });
    const client = new FlickrClient({
      baseUrl: server.url,
      token,
      dispatcher: wire.agent,
      uploadStateStore: new MemoryUploadStateStore(),
    });
    // A dispatcher given to the client is the caller's to close.
    const close = async () => {
      await client.close();
      await wire.agent.close();
    };
    return { client, wire, username: `bench${users}`, close };
  };
  const upload = async (options: UploadManyOptions, user?: Awaited<ReturnType<typeof newUser>>) => {
    const who = user ?? (await newUser());
    settleDisk();
    const before = who.wire.bytesWritten();
    const cpu = process.cpuUsage();
    const serverCpu = server.cpuSeconds();
    const started = performance.now();
    const report = await who.client.uploads.uploadMany(files, options);
    const ms = performance.now() - started;
    const clientCpu = cpuSeconds(process.cpuUsage(cpu));
    const spent = server.cpuSeconds() - serverCpu;
    const sent = who.wire.bytesWritten() - before;
    const uploaded = report.filter((e) => e.status === 'uploaded').length;
    const failed = report.filter((e) => e.status === 'failed');
    if (failed.length > 0)
      console.log(`${failed.length} uploads failed: ${failed[0]?.error?.message}`);
    const clientThumbnails = report.filter((e) => e.clientThumbnail === 'accepted').length;
    return { ms, sent, uploaded, who, report, clientThumbnails, clientCpu, serverCpu: spent };
  };

  try {
    const rounds: {
      plain: number;
      plainSent: number;
      plainCpu: number;
      clientCpu: number;
      serverCpu: number;
      sdk: number;
      sdkSent: number;
      uploaded: number;
    }[] = [];
    let first: Awaited<ReturnType<typeof upload>> | undefined;
    await baseline(warmup);
    const warm = await newUser();
    await warm.client.uploads.uploadMany(warmup);
    await warm.close();
    for (let round = 0; round < ROUNDS; round++) {
      const plain = await baseline();
      const sdk = await upload({});
      first ??= sdk;
      if (sdk !== first) await sdk.who.close();
      rounds.push({
        plain: plain.ms,
        plainSent: plain.sent,
        plainCpu: plain.cpu,
        clientCpu: sdk.clientCpu,
        serverCpu: sdk.serverCpu,
        sdk: sdk.ms,
        sdkSent: sdk.sent,
        uploaded: sdk.uploaded,
      });
      console.log(
        `  round ${round + 1}: baseline ${mbps(totalBytes, plain.ms).toFixed(1)} MiB/s, uploadMany ${mbps(totalBytes, sdk.ms).toFixed(1)} MiB/s (${(plain.ms / sdk.ms).toFixed(2)}×)`,
      );
    }
    const always = await upload({ clientThumbnails: true });
    await always.who.close();
    const never = await upload({ clientThumbnails: false });
    await never.who.close();

    // The first user again: every file a duplicate.
    const main = first as Awaited<ReturnType<typeof upload>>;
    const rerun = await upload({}, main.who);

    // Drain the saga with a worker process on the same data folder.
    const ids = main.report.flatMap((entry) => (entry.photoId ? [entry.photoId] : []));
    let started = performance.now();
    const worker = await startServerProcess({ role: 'worker', dataDir: server.dataDir });
    const ready = await main.who.client.photos.waitUntilReadyMany(ids, { timeoutMs: 1_800_000 });
    const readyMs = performance.now() - started;
    const notReady = ready.filter((e) => e.status !== 'ready').length;

    const out = join(work, 'out');
    started = performance.now();
    const thumbs = await main.who.client.photos.downloadMany(main.who.username, {
      dir: join(out, 'thumbs'),
      resolution: 'thumbnail',
      sidecars: false,
    });
    const thumbsMs = performance.now() - started;
    started = performance.now();
    const originals = await main.who.client.photos.downloadMany(main.who.username, {
      dir: join(out, 'originals'),
      sidecars: false,
    });
    const originalsMs = performance.now() - started;
    await worker.kill('SIGTERM');
    const thumbBytes = thumbs.reduce((sum, e) => sum + (e.bytes ?? 0), 0);
    const originalBytes = originals.reduce((sum, e) => sum + (e.bytes ?? 0), 0);

    const plainMs = median(rounds.map((r) => r.plain));
    const sdkMs = median(rounds.map((r) => r.sdk));
    const ratio = plainMs / sdkMs;
    const row = (
      measure: string,
      files: number,
      bytes: number | undefined,
      ms: number,
      note: string,
    ) => ({
      measure,
      files,
      'MiB/s': bytes === undefined ? '' : mbps(bytes, ms).toFixed(1),
      seconds: (ms / 1000).toFixed(2),
      note,
    });
    console.table([
      row(
        'plain undici PUT into a hashing sink (baseline, median)',
        COUNT,
        totalBytes,
        plainMs,
        `${(median(rounds.map((r) => r.plainSent)) / MiB).toFixed(1)} MiB on the wire`,
      ),
      row(
        'uploadMany, default (client thumbnails while ahead), median',
        median(rounds.map((r) => r.uploaded)),
        totalBytes,
        sdkMs,
        `${ratio.toFixed(2)}× of baseline, target ≥ ${TARGET} (${ratio >= TARGET ? 'met' : 'NOT met'}); ${(median(rounds.map((r) => r.sdkSent)) / MiB).toFixed(1)} MiB on the wire; ${main.clientThumbnails} client thumbnails`,
      ),
      row(
        'uploadMany, clientThumbnails: true (every transfer waits)',
        always.uploaded,
        totalBytes,
        always.ms,
        `${(plainMs / always.ms).toFixed(2)}× of baseline; ${always.clientThumbnails} client thumbnails`,
      ),
      row(
        'uploadMany, clientThumbnails: false',
        never.uploaded,
        totalBytes,
        never.ms,
        `${(plainMs / never.ms).toFixed(2)}× of baseline`,
      ),
      row(
        'uploadMany again (all duplicates)',
        rerun.report.filter((e) => e.status === 'skipped').length,
        undefined,
        rerun.ms,
        `${rerun.sent} bytes on the wire, image data: ${rerun.sent < 100_000 ? 'none' : 'SOME'} (target 0, < 2 s)`,
      ),
      row(
        'saga drained by a worker process, after upload',
        ids.length - notReady,
        undefined,
        readyMs,
        `time to ready${notReady ? `; ${notReady} not ready` : ''}`,
      ),
      row(
        'downloadMany thumbnails (8 at once)',
        thumbs.length,
        thumbBytes,
        thumbsMs,
        `${(thumbs.length / (thumbsMs / 1000)).toFixed(0)} files/s`,
      ),
      row(
        'downloadMany originals (1 at a time)',
        originals.length,
        originalBytes,
        originalsMs,
        'SHA-256 verified',
      ),
    ]);
    console.log(
      `uploadMany vs baseline: ${ratio.toFixed(2)}× (target ≥ ${TARGET}); rounds: ${rounds.map((r) => (r.plain / r.sdk).toFixed(2)).join(', ')}`,
    );
    const cpu = (pick: (r: (typeof rounds)[number]) => number) =>
      median(rounds.map(pick)).toFixed(2);
    console.log(
      `CPU seconds (median): baseline client+sink ${cpu((r) => r.plainCpu)}; uploadMany client ${cpu((r) => r.clientCpu)} + server ${cpu((r) => r.serverCpu)} (${((median(rounds.map((r) => r.serverCpu)) * 1000) / COUNT).toFixed(1)} ms of server CPU per file)`,
    );
    console.log(
      `peak RSS of this client process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
    await main.who.close();
  } finally {
    await target.app.close();
    await anonymous.close();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
