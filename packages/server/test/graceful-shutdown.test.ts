import { mkdtemp, rm, stat } from 'node:fs/promises';
import { type ClientRequest, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAGA_STEPS, type UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BinaryProcess, startBinary } from './binary-process.ts';
import {
  createTestDatabase,
  eventually,
  registerUser,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { createUpload, headUpload, patchUpload } from './tus-protocol.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';
import { exitOf, startWorkerProcess, type WorkerProcess } from './worker-process.ts';

/** A PATCH that announces the whole file and sends only what the test writes, when it writes it. */
function openPatch(url: string, token: string, offset: number, length: number) {
  const patch: ClientRequest = request(url, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(length),
      prefer: 'return=representation',
    },
  });
  const answer = new Promise<{ status: number; body: string } | 'closed'>((resolve) => {
    patch.on('error', () => resolve('closed'));
    patch.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve('closed'));
    });
  });
  return { patch, answer };
}

describe('graceful shutdown of the binary with a tus PATCH in flight', () => {
  let dataDir: string;
  let database: TestDatabase;
  let running: BinaryProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flickr-shutdown-'));
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await running?.terminate().catch(() => {});
    running = undefined;
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (graceMs: number) => {
    running = await startBinary(['all'], {
      FLICKR_DATA_DIR: dataDir,
      FLICKR_SHUTDOWN_GRACE_MS: String(graceMs),
      FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    });
    return running.url as string;
  };
  /** The same upload on a server that listens elsewhere now (each start takes a free port). */
  const on = (base: string, uploadUrl: string) =>
    new URL(new URL(uploadUrl).pathname, base).toString();
  const stagedBytes = async (uploadUrl: string) =>
    (await stat(join(dataDir, 'uploads', uploadUrl.split('/').at(-1) as string))).size;

  it('lets a PATCH that finishes within the grace period finish, pivot included', async () => {
    const base = await start(30_000);
    const { token } = await registerUser(base);
    const data = await testPhoto(1, 1200, 900);
    const url = await createUpload(base, token, data);
    const half = Math.floor(data.length / 2);
    const { patch, answer } = openPatch(url, token, 0, data.length);
    patch.write(data.subarray(0, half));
    await eventually(async () => ((await stagedBytes(url)) > 0 ? true : undefined));

    const server = running as BinaryProcess;
    server.child.kill('SIGTERM');
    await eventually(async () => (/"shutting down"/.test(server.stdout()) ? true : undefined));
    patch.end(data.subarray(half));
    const finished = await answer;
    expect(finished).toMatchObject({ status: 200 });
    const { photo } = JSON.parse((finished as { body: string }).body) as UploadResult;
    expect(await server.waitForExit()).toEqual({ code: 0, signal: null });

    // The pivot committed before the exit: the next start finishes the saga.
    const next = await start(30_000);
    await eventually(async () => {
      const response = await fetch(`${next}/v1/photos/${photo.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { status: string }).status === 'ready' ? true : undefined;
    });
  });

  it('closes a PATCH that stalls past the grace period, and the upload resumes after a restart', async () => {
    const base = await start(500);
    const { token } = await registerUser(base);
    const data = await testPhoto(2, 1200, 900);
    const url = await createUpload(base, token, data);
    const { patch, answer } = openPatch(url, token, 0, data.length);
    patch.write(data.subarray(0, Math.floor(data.length / 2)));
    await eventually(async () => ((await stagedBytes(url)) > 0 ? true : undefined));

    // The client sends nothing more, ever: shutdown must not wait for it.
    expect(await (running as BinaryProcess).terminate()).toEqual({ code: 0, signal: null });
    expect(await answer).toBe('closed');

    const next = await start(500);
    const held = await headUpload(on(next, url), token);
    expect(held.status).toBe(200);
    expect(held.offset).toBeGreaterThan(0);
    expect(held.offset).toBe(await stagedBytes(url));
    const rest = await patchUpload(on(next, url), token, held.offset, data.subarray(held.offset));
    expect(rest.status).toBe(200);
  });
});

describe('graceful shutdown of a worker process with a saga step in flight', () => {
  let server: TestServer;
  let token: string;
  let seed = 1500;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await startTestServer({}, { role: 'serve' });
    ({ token } = await registerUser(server.url));
  });
  afterAll(async () => {
    await Promise.all(processes.map((worker) => worker.stop(0)));
    await server?.destroy();
  });

  async function renderInFlight(env: Record<string, string>, slowMs: number) {
    const { photo } = await uploadPhoto(server.url, await testPhoto(seed++), { token });
    const worker = startWorkerProcess(server, {
      env: { FLICKR_WORKER_CONCURRENCY: '1', ...env },
      faults: { slow: { step: 'render_renditions', ms: slowMs } },
    });
    processes.push(worker);
    const running = await eventually(
      async () =>
        (await server.services.store.sagaAttempts.forPhoto(photo.id)).find(
          (a) => a.step === 'render_renditions' && a.outcome === null,
        ),
      20_000,
      'the render step to start',
    );
    return { photoId: photo.id, worker, running };
  }

  async function finishElsewhere(photoId: string) {
    const worker = startInProcessWorker(server.services, { concurrency: 1 });
    try {
      // Ready, and the saga's last step (the follower fan-out) done too.
      await eventually(async () =>
        (await server.services.store.photos.byId(photoId))?.status === 'ready' &&
        (await server.services.store.outbox.forPhoto(photoId)).length === 0
          ? true
          : undefined,
      );
    } finally {
      await worker.stop(5_000);
    }
    expect(await server.services.store.outbox.forPhoto(photoId)).toEqual([]);
    expect(await server.services.store.photos.renditions(photoId)).toHaveLength(1);
    const attempts = await server.services.store.sagaAttempts.forPhoto(photoId);
    for (const step of SAGA_STEPS)
      expect(
        attempts.filter((a) => a.step === step && a.outcome === 'succeeded'),
        step,
      ).toHaveLength(1);
    return attempts;
  }

  it('lets a step that ends within the grace period finish and commit before the exit', async () => {
    const { photoId, worker, running } = await renderInFlight(
      { FLICKR_SHUTDOWN_GRACE_MS: '20000' },
      1_500,
    );
    worker.stop(30_000).catch(() => {});
    expect(await exitOf(worker)).toEqual({ code: 0, signal: null });

    const attempts = await server.services.store.sagaAttempts.forPhoto(photoId);
    expect(attempts.find((a) => a.id === running.id)).toMatchObject({ outcome: 'succeeded' });
    expect((await server.services.store.outbox.forPhoto(photoId)).map((e) => e.step)).toEqual([
      'publish_renditions',
    ]);
    const all = await finishElsewhere(photoId);
    expect(all.filter((a) => a.step === 'render_renditions')).toHaveLength(1);
  });

  it('abandons a step that outlasts the grace period; another worker runs it again once', async () => {
    const { photoId, worker, running } = await renderInFlight(
      { FLICKR_SHUTDOWN_GRACE_MS: '100', FLICKR_SAGA_LEASE_MS: '300' },
      10_000,
    );
    worker.stop(30_000).catch(() => {});
    expect(await exitOf(worker)).toEqual({ code: 0, signal: null });
    expect(
      (await server.services.store.sagaAttempts.forPhoto(photoId)).find((a) => a.id === running.id),
    ).toMatchObject({ outcome: null, finishedAt: null });
    expect(await server.services.store.photos.renditions(photoId)).toEqual([]);

    const all = await finishElsewhere(photoId);
    expect(all.filter((a) => a.step === 'render_renditions').map((a) => a.outcome)).toEqual([
      null,
      'succeeded',
    ]);
  });
});
