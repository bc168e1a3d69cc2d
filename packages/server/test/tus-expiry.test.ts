import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Photo } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireAbandonedUploads } from '../src/jobs/expire-uploads.ts';
import type { SagaWorker } from '../src/saga/worker.ts';
import { FaultyBlobStore } from './faulty-blob-store.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { expectProblem } from './problems.ts';
import { createUpload, createUploadRequest, headUpload, patchUpload } from './tus-protocol.ts';
import { sha256, testPhoto, uploadPhoto } from './uploads.ts';

const HOUR = 3_600_000;
const EXPIRY_HOURS = 24;

/** An HTTP date (second resolution), as a number of milliseconds. */
const httpDate = (response: Response) => Date.parse(response.headers.get('upload-expires') ?? '');

describe('tus expiration', () => {
  let server: TestServer;
  let worker: SagaWorker | undefined;
  let blobs: FaultyBlobStore;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let seed = 700;

  beforeAll(async () => {
    // API only: each test decides when a saga worker runs.
    server = await startTestServer(
      { FLICKR_UPLOAD_EXPIRY_HOURS: String(EXPIRY_HOURS), FLICKR_SAGA_MAX_ATTEMPTS: '1' },
      { role: 'serve' },
    );
    blobs = new FaultyBlobStore(server.services.blobs);
    owner = await registerUser(server.url);
  });
  afterAll(async () => {
    await worker?.stop(5_000);
    await server?.destroy();
  });

  const uploadIdOf = (url: string) => url.split('/').at(-1) as string;
  const staged = (uploadId: string) => join(server.dataDir, 'uploads', uploadId);
  const expire = (atMs: number) =>
    expireAbandonedUploads(server.services.store.uploads, server.services.staging, new Date(atMs));

  /**
   * Rewrites an upload's record as if it had been created `createdHoursAgo`
   * and had last received bytes `activeHoursAgo`, the way a clock moved on
   * would leave it.
   */
  async function age(uploadId: string, createdHoursAgo: number, activeHoursAgo: number) {
    const { uploads } = server.services.store;
    const record = await uploads.byId(uploadId);
    if (!record) throw new Error(`no upload ${uploadId}`);
    await uploads.delete(uploadId);
    await uploads.insert({
      ...record,
      createdAt: new Date(Date.now() - createdHoursAgo * HOUR).toISOString(),
      expiresAt: new Date(Date.now() + (EXPIRY_HOURS - activeHoursAgo) * HOUR).toISOString(),
    });
  }

  async function adminToken(): Promise<string> {
    const username = `admin${randomUUID().slice(0, 8)}`;
    await server.services.accounts.createUser(username, 'a long passphrase', { isAdmin: true });
    const response = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'a long passphrase' }),
    });
    return ((await response.json()) as { token: string }).token;
  }

  const photoStatus = async (id: string) => (await server.services.store.photos.byId(id))?.status;

  it('announces Upload-Expires at creation, the expiry period from now', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const before = Date.now();
    const response = await createUploadRequest(server.url, owner.token, data.length, {
      filename: 'a.jpg',
      sha256: sha256(data),
    });
    expect(response.status).toBe(201);
    const expires = httpDate(response);
    expect(expires).toBeGreaterThanOrEqual(before + EXPIRY_HOURS * HOUR - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + EXPIRY_HOURS * HOUR);
  });

  it('counts the expiry from the last bytes received, not from creation', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, owner.token, data);
    // Created 23 hours ago and idle since: an hour left.
    await age(uploadIdOf(url), 23, 23);
    const before = Date.now();
    const patched = await patchUpload(url, owner.token, 0, data.subarray(0, 100));
    expect(patched.status).toBe(204);
    // Bytes arrived: the full period again, from now.
    expect(httpDate(patched)).toBeGreaterThanOrEqual(before + EXPIRY_HOURS * HOUR - 1000);
    const record = await server.services.store.uploads.byId(uploadIdOf(url));
    expect(Date.parse(record?.expiresAt ?? '')).toBeGreaterThanOrEqual(
      before + EXPIRY_HOURS * HOUR,
    );
  });

  it('keeps an upload that is old but active, and expires one idle past the period', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const active = await createUpload(server.url, owner.token, data);
    const idle = await createUpload(server.url, owner.token, await testPhoto(seed++, 64, 48));
    expect((await patchUpload(idle, owner.token, 0, data.subarray(0, 10))).status).toBe(204);
    await age(uploadIdOf(active), 30, 1);
    await age(uploadIdOf(idle), 30, 25);

    // tus itself already answers an expired upload with 410 Gone.
    await expectProblem(await patchUpload(idle, owner.token, 10, data.subarray(10)), 410, 'gone');
    expect((await headUpload(active, owner.token)).status).toBe(200);

    expect(await expire(Date.now())).toBe(1);
    expect((await headUpload(idle, owner.token)).status).toBe(404);
    await expect(stat(staged(uploadIdOf(idle)))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await server.services.store.uploads.byId(uploadIdOf(idle))).toBeUndefined();

    // The active one goes on where it was.
    const finished = await patchUpload(active, owner.token, 0, data);
    expect(finished.status).toBe(200);
  });

  it('expires only the record of a finished upload whose saga is backed up: the saga still stores it', async () => {
    const data = await testPhoto(seed++);
    const { photo } = await uploadPhoto(server.url, data, { token: owner.token });
    const [event] = await server.services.store.outbox.forPhoto(photo.id);
    const uploadId = String(event?.payload.uploadId);
    const abandoned = await createUpload(server.url, owner.token, await testPhoto(seed++, 64, 48));

    // Two expiry periods later no worker has run yet: the unfinished upload goes, bytes and all;
    // the finished one only loses its record, while its bytes wait for the saga.
    expect(await expire(Date.now() + 2 * EXPIRY_HOURS * HOUR)).toBeGreaterThanOrEqual(2);
    expect((await headUpload(abandoned, owner.token)).status).toBe(404);
    await expect(stat(staged(uploadIdOf(abandoned)))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await server.services.store.uploads.byId(uploadId)).toBeUndefined();
    expect((await stat(staged(uploadId))).size).toBe(data.length);

    worker = startInProcessWorker(server.services, { blobs, concurrency: 1 });
    try {
      await eventually(async () => ((await photoStatus(photo.id)) === 'ready' ? true : undefined));
    } finally {
      await worker.stop(5_000);
      worker = undefined;
    }
    await expect(stat(staged(uploadId))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never expires a finished upload whose store step is parked: an admin retry still stores it', async () => {
    const data = await testPhoto(seed++);
    const fault = blobs.failWrites(
      (key) => key.startsWith(`${owner.userId}/`) && key.split('/')[2] === 'original',
      Number.POSITIVE_INFINITY,
    );
    const { photo } = await uploadPhoto(server.url, data, { token: owner.token });
    worker = startInProcessWorker(server.services, { blobs, concurrency: 1 });
    try {
      await eventually(async () => ((await photoStatus(photo.id)) === 'failed' ? true : undefined));
      const [event] = await server.services.store.outbox.forPhoto(photo.id);
      expect(await expire(Date.now() + 2 * EXPIRY_HOURS * HOUR)).toBeGreaterThanOrEqual(1);
      expect((await stat(staged(String(event?.payload.uploadId)))).size).toBe(data.length);

      fault.heal();
      const retried = await fetch(`${server.url}/v1/admin/photos/${photo.id}/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      expect(retried.status).toBe(202);
      await eventually(async () => ((await photoStatus(photo.id)) === 'ready' ? true : undefined));
    } finally {
      await worker.stop(5_000);
      worker = undefined;
    }
    const ready = (await (
      await fetch(`${server.url}/v1/photos/${photo.id}`, {
        headers: { authorization: `Bearer ${owner.token}` },
      })
    ).json()) as Photo;
    expect(ready).toMatchObject({ status: 'ready', statusReason: null, sha256: sha256(data) });
  });
});
