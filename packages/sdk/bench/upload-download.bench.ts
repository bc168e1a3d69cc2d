// uploadMany of 200 real photographs (varied to unique hashes) against the
// same bytes sent with plain undici PUTs to a minimal Fastify sink that
// hashes and writes them; then the all-duplicates rerun, and downloadMany
// of thumbnails and originals. The server runs in its own process.
//
//   node --conditions=source packages/sdk/bench/upload-download.bench.ts
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { photoCorpus } from '../../thumbnail-core/bench/photo-corpus.ts';
import { FlickrClient, MemoryUploadStateStore } from '../src/index.ts';
import { startBenchServer } from './bench-server.ts';

const COUNT = Number(process.env.BENCH_PHOTOS ?? 200);
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

const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

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
  const totalBytes = (await Promise.all(files.map((f) => stat(f)))).reduce(
    (sum, s) => sum + s.size,
    0,
  );
  console.log(
    `upload-download: ${COUNT} photos from ${corpus.length} real photographs, ${(totalBytes / MiB).toFixed(0)} MiB, one transfer at a time (the server's default policy)`,
  );

  // Baseline: the same bytes, PUT one at a time with undici into a sink that hashes and writes.
  const sinkDir = join(work, 'sink');
  await mkdir(sinkDir);
  const target = await sink(sinkDir);
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  let started = performance.now();
  for (const file of files) {
    const { size } = await stat(file);
    const response = await request(`${target.url}/sink/${file.split('/').at(-1)}`, {
      method: 'PUT',
      body: createReadStream(file),
      headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
      dispatcher: agent,
    });
    await response.body.text();
  }
  const plainMs = performance.now() - started;
  await target.app.close();
  await agent.close();

  const server = await startBenchServer();
  const anonymous = new FlickrClient({ baseUrl: server.url });
  const session = await anonymous.auth.register('bench', 'a long passphrase');
  const client = new FlickrClient({
    baseUrl: server.url,
    token: session.token,
    uploadStateStore: new MemoryUploadStateStore(),
  });
  try {
    let sent = 0;
    started = performance.now();
    const report = await client.uploads.uploadMany(files, {
      onProgress: (event) => {
        if (event.type === 'progress') sent = event.totalSent;
      },
    });
    const uploadMs = performance.now() - started;
    const failed = report.filter((entry) => entry.status !== 'uploaded');

    // The same files for a second user, leaving thumbnails to the server.
    const second = new FlickrClient({
      baseUrl: server.url,
      token: (await anonymous.auth.register('bench2', 'a long passphrase')).token,
      uploadStateStore: new MemoryUploadStateStore(),
    });
    started = performance.now();
    const serverRendered = await second.uploads.uploadMany(files, { clientThumbnails: false });
    const serverRenderedMs = performance.now() - started;
    started = performance.now();
    await second.photos.waitUntilReadyMany(
      serverRendered.flatMap((e) => (e.photoId ? [e.photoId] : [])),
      { timeoutMs: 600_000 },
    );
    const serverReadyMs = performance.now() - started;
    await second.close();

    let resent = 0;
    started = performance.now();
    const rerun = await client.uploads.uploadMany(files, {
      onProgress: (event) => {
        if (event.type === 'progress') resent = event.totalSent;
      },
    });
    const rerunMs = performance.now() - started;

    started = performance.now();
    const ids = report.flatMap((entry) => (entry.photoId ? [entry.photoId] : []));
    await client.photos.waitUntilReadyMany(ids, { timeoutMs: 600_000 });
    const readyMs = performance.now() - started;

    const out = join(work, 'out');
    started = performance.now();
    const thumbs = await client.photos.downloadMany('bench', {
      dir: join(out, 'thumbs'),
      resolution: 'thumbnail',
      sidecars: false,
    });
    const thumbsMs = performance.now() - started;
    started = performance.now();
    const originals = await client.photos.downloadMany('bench', {
      dir: join(out, 'originals'),
      sidecars: false,
    });
    const originalsMs = performance.now() - started;
    const thumbBytes = thumbs.reduce((sum, e) => sum + (e.bytes ?? 0), 0);
    const originalBytes = originals.reduce((sum, e) => sum + (e.bytes ?? 0), 0);

    console.table([
      {
        measure: 'plain undici PUT into a hashing sink (baseline)',
        files: COUNT,
        'MiB/s': mbps(totalBytes, plainMs).toFixed(1),
        seconds: (plainMs / 1000).toFixed(2),
        note: '',
      },
      {
        measure: 'uploadMany (hash, check, tus, pivot)',
        files: COUNT - failed.length,
        'MiB/s': mbps(totalBytes, uploadMs).toFixed(1),
        seconds: (uploadMs / 1000).toFixed(2),
        note: `${(plainMs / uploadMs).toFixed(2)}× of baseline (target ≥ 0.8); ${(sent / MiB).toFixed(0)} MiB sent`,
      },
      {
        measure: 'uploadMany, thumbnails left to the server',
        files: serverRendered.filter((e) => e.status === 'uploaded').length,
        'MiB/s': mbps(totalBytes, serverRenderedMs).toFixed(1),
        seconds: (serverRenderedMs / 1000).toFixed(2),
        note: `${(plainMs / serverRenderedMs).toFixed(2)}× of baseline; then ${(serverReadyMs / 1000).toFixed(1)} s until all ready`,
      },
      {
        measure: 'uploadMany again (all duplicates)',
        files: rerun.filter((e) => e.status === 'skipped').length,
        'MiB/s': '',
        seconds: (rerunMs / 1000).toFixed(2),
        note: `${resent} bytes of image data sent (target 0, < 2 s)`,
      },
      {
        measure: 'saga: until all ready, after upload',
        files: ids.length,
        'MiB/s': '',
        seconds: (readyMs / 1000).toFixed(2),
        note: 'thumbnails rendered by the client',
      },
      {
        measure: 'downloadMany thumbnails (8 at once)',
        files: thumbs.length,
        'MiB/s': mbps(thumbBytes, thumbsMs).toFixed(1),
        seconds: (thumbsMs / 1000).toFixed(2),
        note: `${(thumbs.length / (thumbsMs / 1000)).toFixed(0)} files/s`,
      },
      {
        measure: 'downloadMany originals (1 at a time)',
        files: originals.length,
        'MiB/s': mbps(originalBytes, originalsMs).toFixed(1),
        seconds: (originalsMs / 1000).toFixed(2),
        note: 'SHA-256 verified',
      },
    ]);
    if (failed.length > 0)
      console.log(`${failed.length} uploads did not succeed: ${failed[0]?.error?.message}`);
    console.log(
      `peak RSS of this client process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
    console.log(`sink files: ${(await readdir(sinkDir)).length}`);
  } finally {
    await client.close();
    await anonymous.close();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
