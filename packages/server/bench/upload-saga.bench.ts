// From upload to ready through the upload saga, on real photographs.
//
// Latency: one photo at a time to a server running the API and one saga
// worker (role all), the time from the pivot's answer (the final PATCH's
// 200) until GET /v1/photos/:id says `ready`, polled every 10 ms; with the
// saga's own record of how long each step took.
// Throughput: photos uploaded while no worker runs (role serve), then one
// worker started on the server's services, timed until all are ready.
// Baseline for both, in the same run on the same files: the work the saga
// cannot avoid, done directly with thumbnail-core (the thumbnail, any other
// renditions, the placeholder), one photo at a time and then as many at a
// time as the worker's concurrency.
//
//   node --conditions=source packages/server/bench/upload-saga.bench.ts
//   BENCH_SAGA_PHOTOS=50 BENCH_SAGA_BACKLOG=200 ... (the defaults)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckHashesResponse,
  type Photo,
  SAGA_STEPS,
  type SagaStep,
} from '@flickr-kit/sdk/contract';
import { placeholder, renderRenditions } from '@flickr-kit/thumbnail-core';
import { loadConfig } from '../src/config.ts';
import { renditionPolicy } from '../src/domain/rendition-policy.ts';
import { registerUser } from '../test/harness.ts';
import { type BenchPhoto, benchPhotos } from './bench-photos.ts';
import { describeMachine } from './machine.ts';
import { formatMs, percentile } from './percentiles.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { tusUpload } from './tus-upload.ts';

const PHOTOS = Number(process.env.BENCH_SAGA_PHOTOS ?? 50);
const BACKLOG = Number(process.env.BENCH_SAGA_BACKLOG ?? 200);
const POLL_MS = 10;
const BACKLOG_POLL_MS = 50;
const DEADLINE_MS = 120_000;

// The settings the server processes start with: the environment's, or the defaults.
const config = loadConfig();
const policy = renditionPolicy(config.renditions, config.clientRenderDenylist);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the saga does to the pixels, without the saga: thumbnail alone, other sizes together, placeholder. */
async function renderDirectly(path: string): Promise<void> {
  const options = { pixelLimit: config.pixelLimit };
  await renderRenditions(path, [policy.thumbnail], options);
  if (policy.others.length > 0) await renderRenditions(path, policy.others, options);
  await placeholder(path, options);
}

/** Runs `work` on every item, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const loop = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

async function upload(server: ServerProcess, token: string, photo: BenchPhoto, i: number) {
  const result = await tusUpload(server.url, photo.data, {
    token,
    sha256: photo.sha256,
    filename: `photo-${i}.jpg`,
  });
  if (result.duplicate) throw new Error(`photo ${i} was taken for a duplicate`);
  return result.photo.id;
}

async function waitUntilReady(url: string, token: string, id: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const response = await fetch(`${url}/v1/photos/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const photo = (await response.json()) as Photo;
    if (photo.status === 'ready') return;
    if (photo.status === 'failed') throw new Error(`photo ${id} failed: ${photo.statusReason}`);
    if (Date.now() > deadline) throw new Error(`photo ${id} not ready after ${DEADLINE_MS} ms`);
    await sleep(POLL_MS);
  }
}

/** Latency, one photo at a time; returns milliseconds per photo and the saga's step durations. */
async function measureLatency(photos: BenchPhoto[]) {
  const server = await startServerProcess('all');
  try {
    const user = await registerUser(server.url);
    const ids: string[] = [];
    const latencies: number[] = [];
    for (const [i, photo] of photos.entries()) {
      const id = await upload(server, user.token, photo, i);
      const answered = performance.now();
      await waitUntilReady(server.url, user.token, id);
      // The first photo warms the worker up (JIT, libvips), so it is not counted.
      if (i === 0) continue;
      latencies.push(performance.now() - answered);
      ids.push(id);
    }
    const steps = new Map<SagaStep, number[]>(SAGA_STEPS.map((step) => [step, []]));
    for (const attempt of await server.sagaAttempts(ids)) {
      if (attempt.outcome !== 'succeeded' || !attempt.finishedAt) continue;
      steps.get(attempt.step)?.push(Date.parse(attempt.finishedAt) - Date.parse(attempt.startedAt));
    }
    return { latencies, steps };
  } finally {
    await server.stop();
  }
}

/** Throughput: a backlog uploaded with no worker, then one worker until all are ready. */
async function measureBacklog(photos: BenchPhoto[]) {
  const server = await startServerProcess('serve');
  try {
    const user = await registerUser(server.url);
    let started = performance.now();
    for (const [i, photo] of photos.entries()) await upload(server, user.token, photo, i);
    const uploadMs = performance.now() - started;
    const body = JSON.stringify({ sha256: photos.map((p) => p.sha256) });
    const ready = async () => {
      const response = await fetch(`${server.url}/v1/uploads/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body,
      });
      const { existing } = (await response.json()) as CheckHashesResponse;
      const failed = existing.find((known) => known.status === 'failed');
      if (failed) throw new Error(`photo ${failed.photoId} failed`);
      return existing.filter((known) => known.status === 'ready').length;
    };
    const cpuBefore = await server.cpuMs();
    started = performance.now();
    await server.startWorker(config.workerConcurrency);
    while ((await ready()) < photos.length) {
      if (performance.now() - started > DEADLINE_MS) throw new Error('the backlog did not drain');
      await sleep(BACKLOG_POLL_MS);
    }
    const drainMs = performance.now() - started;
    return {
      uploadMs,
      drainMs,
      cpuMsPerPhoto: ((await server.cpuMs()) - cpuBefore) / photos.length,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { photos, description } = await benchPhotos(Math.max(PHOTOS + 1, BACKLOG));
  const scratch = await mkdtemp(join(tmpdir(), 'bench-saga-'));
  try {
    const files = await Promise.all(
      photos.map(async (photo, i) => {
        const path = join(scratch, `photo-${i}.jpg`);
        await writeFile(path, photo.data);
        return path;
      }),
    );
    const renditions = [policy.thumbnail, ...policy.others].map((s) => s.name).join(', ');
    console.log(
      `upload saga: ${description}. Renditions: ${renditions}, and a placeholder. ` +
        `Latency over ${PHOTOS} photos one at a time after one warm-up (role all, GET /v1/photos/:id every ${POLL_MS} ms); ` +
        `throughput of one worker (concurrency ${config.workerConcurrency}, the default) on a backlog of ${BACKLOG}. ` +
        'Servers in their own processes; the baseline renders in this one.',
    );
    console.log(describeMachine());

    const latencyFiles = files.slice(0, PHOTOS + 1);
    const backlogFiles = files.slice(0, BACKLOG);
    await renderDirectly(files[0] as string);
    const direct: number[] = [];
    for (const file of latencyFiles.slice(1)) {
      const started = performance.now();
      await renderDirectly(file);
      direct.push(performance.now() - started);
    }
    const cpuBefore = process.cpuUsage();
    let started = performance.now();
    await pool(backlogFiles, config.workerConcurrency, renderDirectly);
    const directPoolMs = performance.now() - started;
    const directCpu = process.cpuUsage(cpuBefore);
    const directCpuMsPerPhoto = (directCpu.user + directCpu.system) / 1000 / BACKLOG;

    started = performance.now();
    const { latencies, steps } = await measureLatency(photos.slice(0, PHOTOS + 1));
    const latencyRunMs = performance.now() - started;
    const { uploadMs, drainMs, cpuMsPerPhoto } = await measureBacklog(photos.slice(0, BACKLOG));

    console.table([
      {
        measure: 'thumbnail-core directly, one at a time (baseline)',
        'p50 ms': formatMs(percentile(direct, 50)),
        'p99 ms': formatMs(percentile(direct, 99)),
        'photos/s': '',
        'CPU ms/photo': '',
      },
      {
        measure: 'saga: pivot 200 → ready, one at a time',
        'p50 ms': formatMs(percentile(latencies, 50)),
        'p99 ms': formatMs(percentile(latencies, 99)),
        'photos/s': '',
        'CPU ms/photo': '',
      },
      {
        measure: `thumbnail-core directly, ${config.workerConcurrency} at a time (baseline)`,
        'p50 ms': '',
        'p99 ms': '',
        'photos/s': (BACKLOG / (directPoolMs / 1000)).toFixed(1),
        'CPU ms/photo': directCpuMsPerPhoto.toFixed(0),
      },
      {
        measure: `saga: one worker draining ${BACKLOG} uploaded photos`,
        'p50 ms': '',
        'p99 ms': '',
        'photos/s': (BACKLOG / (drainMs / 1000)).toFixed(1),
        'CPU ms/photo': cpuMsPerPhoto.toFixed(0),
      },
    ]);
    console.table(
      [...steps].map(([step, durations]) => ({
        'saga step (latency run)': step,
        'p50 ms': formatMs(percentile(durations, 50)),
        'p99 ms': formatMs(percentile(durations, 99)),
      })),
    );
    const stepsP50 = [...steps.values()].reduce((sum, d) => sum + percentile(d, 50), 0);
    console.log(
      `saga latency over direct rendering: +${formatMs(percentile(latencies, 50) - percentile(direct, 50))} ms at p50 ` +
        `(steps themselves ${formatMs(stepsP50)} ms at p50; the rest is hand-over between steps and the ${POLL_MS} ms polling); ` +
        `saga throughput ${(directPoolMs / drainMs).toFixed(2)}× direct rendering's. ` +
        `Uploading the backlog took ${(uploadMs / 1000).toFixed(1)} s; the latency run ${(latencyRunMs / 1000).toFixed(1)} s.`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
