import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Photo } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './api-calls.ts';
import { type BinaryProcess, startBinary } from './binary-process.ts';
import {
  createTestDatabase,
  eventually,
  registerUser,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from './harness.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

/** How long a change may take to reach another process's CDN tier: "within seconds". */
const SECONDS = 5_000;

// The roles as separate processes on one database and data folder, as an
// operator runs them: `flickr-server cdn` and `flickr-server worker` are the
// real binary; the API (role serve) runs in this process, so the test can
// read its database.
describe('API, worker and CDN tier as separate processes', () => {
  let dataDir: string;
  let database: TestDatabase;
  let cdn: BinaryProcess;
  let worker: BinaryProcess;
  let api: TestServer;
  let alice: User;
  let bob: User;
  let seed = 1700;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flickr-roles-'));
    database = await createTestDatabase();
    const shared = {
      FLICKR_DATA_DIR: dataDir,
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    };
    // The CDN tier first: the API signs URLs for wherever it listens.
    cdn = await startBinary(['cdn'], shared);
    api = await startTestServer(
      { FLICKR_CDN_URL: cdn.url as string, FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' },
      { role: 'serve', dataDir, database },
    );
    worker = await startBinary(['worker'], { ...shared, FLICKR_WORKER_POLL_MS: '50' });
    alice = await registerUser(api.url);
    bob = await registerUser(api.url);
  });
  afterAll(async () => {
    await Promise.allSettled([worker?.terminate(), cdn?.terminate()]);
    await api?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = (user: User | undefined, method: string, path: string, body?: unknown) =>
    callApi<Photo>(api.url, user, method, path, body);
  const status = async (url: string) => {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  };
  /** Polls the CDN process until a URL answers 404, for at most a few seconds. */
  const goneWithinSeconds = (url: string) =>
    eventually(
      async () => ((await status(url)) === 404 ? true : undefined),
      SECONDS,
      `404 for ${url}`,
    );

  async function readyPhoto(visibility: 'public' | 'private'): Promise<Photo> {
    const { photo } = await uploadPhoto(api.url, await testPhoto(seed++), {
      token: alice.token,
      metadata: { visibility },
    });
    return eventually(async () => {
      const { body } = await call(alice, 'GET', `/v1/photos/${photo.id}`);
      return body.status === 'ready' ? body : undefined;
    });
  }

  it('advertises in each banner only what that role serves', () => {
    expect(cdn.stderr()).toMatch(/is running \(cdn\)/);
    expect(cdn.stderr()).toMatch(/^\s+CDN\s+http:/m);
    expect(cdn.stderr()).not.toMatch(/\/v1\/|openapi|register|^\s+API\s/m);
    expect(worker.stderr()).toMatch(/is running \(worker\)/);
    expect(worker.stderr()).not.toMatch(/http:\/\//);
  });

  it('has the worker process take the saga and the CDN process serve the files', async () => {
    const photo = await readyPhoto('public');
    const attempts = await api.services.store.sagaAttempts.forPhoto(photo.id);
    expect(new Set(attempts.map((a) => a.worker.split(':')[1]))).toEqual(
      new Set([String(worker.child.pid)]),
    );
    const thumbnail = photo.renditions[0]?.url as string;
    expect(thumbnail.startsWith(`${cdn.url}/cdn/`)).toBe(true);
    expect(await status(thumbnail)).toBe(200);
    expect(await status(photo.originalUrl as string)).toBe(200);
  });

  it('stops serving a revoked viewer within seconds', async () => {
    const photo = await readyPhoto('private');
    expect((await call(alice, 'POST', '/v1/shares', { username: bob.username })).status).toBe(201);
    const seen = await call(bob, 'GET', `/v1/photos/${photo.id}`);
    const url = seen.body.renditions[0]?.url as string;
    expect(await status(url)).toBe(200);

    expect((await call(alice, 'DELETE', `/v1/shares/${bob.username}`)).status).toBe(204);
    await goneWithinSeconds(url);
  });

  it('stops serving a photo made private within seconds', async () => {
    const photo = await readyPhoto('public');
    const { body: anonymous } = await call(undefined, 'GET', `/v1/photos/${photo.id}`);
    const url = anonymous.renditions[0]?.url as string;
    expect(await status(url)).toBe(200);

    expect(
      (await call(alice, 'PATCH', `/v1/photos/${photo.id}`, { visibility: 'private' })).status,
    ).toBe(200);
    await goneWithinSeconds(url);
  });

  it('stops serving a deleted photo within seconds, even to its owner', async () => {
    const photo = await readyPhoto('private');
    const url = photo.renditions[0]?.url as string;
    const original = photo.originalUrl as string;
    expect(await status(url)).toBe(200);

    expect((await call(alice, 'DELETE', `/v1/photos/${photo.id}`)).status).toBe(204);
    await goneWithinSeconds(url);
    await goneWithinSeconds(original);
  });

  it('stops both processes cleanly on SIGTERM', async () => {
    expect(await worker.terminate()).toEqual({ code: 0, signal: null });
    expect(await cdn.terminate()).toEqual({ code: 0, signal: null });
  });
});
