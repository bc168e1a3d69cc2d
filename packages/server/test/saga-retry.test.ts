import { randomUUID } from 'node:crypto';
import { type Photo, SAGA_STEPS, type SagaStep } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/domain/ids.ts';
import type { NewOutboxEvent, SagaAttemptRecord } from '../src/ports/metadata-store.ts';
import type { SagaWorker } from '../src/saga/worker.ts';
import { FaultyBlobStore } from './faulty-blob-store.ts';
import { brokenPixelsPng } from './generated-images.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { photoRecord } from './seed.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

const MAX_ATTEMPTS = 4;
const BACKOFF_MS = 100;

describe('upload saga retries', () => {
  let server: TestServer;
  let worker: SagaWorker;
  let blobs: FaultyBlobStore;
  let seed = 200;

  beforeAll(async () => {
    server = await startTestServer(
      {
        FLICKR_RENDITIONS: 'medium:320:webp',
        FLICKR_SAGA_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        FLICKR_SAGA_BACKOFF_MS: String(BACKOFF_MS),
      },
      { role: 'serve' },
    );
    blobs = new FaultyBlobStore(server.services.blobs);
    // One step at a time: a photo waiting for its retry must not hold up the others.
    worker = startInProcessWorker(server.services, { blobs, concurrency: 1 });
  });
  afterAll(async () => {
    await worker?.stop(5_000);
    await server?.destroy();
  });

  /** Blob keys are `<user>/<album>/<resolution>/<file>`. */
  const keyOf = (userId: string, resolution: string) => (key: string) =>
    key.startsWith(`${userId}/`) && key.split('/')[2] === resolution;

  async function getPhoto(token: string, id: string): Promise<Photo> {
    const response = await fetch(`${server.url}/v1/photos/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Photo;
  }

  const photoWithStatus = (token: string, id: string, status: Photo['status']) =>
    eventually(
      async () => {
        const photo = await getPhoto(token, id);
        return photo.status === status ? photo : undefined;
      },
      20_000,
      `photo ${status}`,
    );

  const retry = (token: string, id: string) =>
    fetch(`${server.url}/v1/admin/photos/${id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });

  const attemptsOf = async (photoId: string, step: SagaStep): Promise<SagaAttemptRecord[]> =>
    (await server.services.store.sagaAttempts.forPhoto(photoId)).filter((a) => a.step === step);

  async function adminToken(): Promise<string> {
    const username = `admin${randomUUID().slice(0, 8)}`;
    await server.services.accounts.createUser(username, 'a long passphrase', { isAdmin: true });
    const response = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'a long passphrase' }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  /** A photo whose thumbnail cannot be written until the returned fault is healed. */
  async function photoFailingToRender() {
    const owner = await registerUser(server.url);
    const fault = blobs.failWrites(keyOf(owner.userId, 'thumbnail'), Number.POSITIVE_INFINITY);
    const { photo } = await uploadPhoto(server.url, await testPhoto(seed++), {
      token: owner.token,
    });
    return { owner, photoId: photo.id, fault };
  }

  it('retries a step that fails transiently, waiting longer each time, until it succeeds', async () => {
    const owner = await registerUser(server.url);
    blobs.failWrites(keyOf(owner.userId, 'original'), MAX_ATTEMPTS - 1);
    const { photo } = await uploadPhoto(server.url, await testPhoto(seed++), {
      token: owner.token,
    });

    const ready = await photoWithStatus(owner.token, photo.id, 'ready');
    expect(ready.statusReason).toBeNull();
    expect(ready.renditions.map((r) => r.name)).toEqual(['thumbnail', 'medium']);

    const attempts = await attemptsOf(photo.id, 'store_original');
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'retrying'],
      [4, 'succeeded'],
    ]);
    expect(attempts.slice(0, 3).map((a) => a.error)).toEqual(
      Array(3).fill(expect.stringMatching(/^injected write failure for /)),
    );
    // Exponential backoff with ±20% jitter: at least 80, 160, 320 ms between attempts.
    for (let i = 1; i < attempts.length; i++) {
      const waited =
        Date.parse(attempts[i]?.startedAt as string) -
        Date.parse(attempts[i - 1]?.startedAt as string);
      expect(waited, `before attempt ${i + 1}`).toBeGreaterThanOrEqual(
        0.8 * BACKOFF_MS * 2 ** (i - 1),
      );
    }
    for (const step of SAGA_STEPS.slice(1))
      expect(await attemptsOf(photo.id, step)).toHaveLength(1);
  });

  it('parks a step that keeps failing after the last attempt, and the photo says which step failed', async () => {
    const { owner, photoId } = await photoFailingToRender();

    const failed = await photoWithStatus(owner.token, photoId, 'failed');
    expect(failed.statusReason).toMatch(/^render_renditions: injected write failure for /);
    expect(failed.renditions).toEqual([]);

    const attempts = await attemptsOf(photoId, 'render_renditions');
    expect(attempts.map((a) => a.outcome)).toEqual([
      ...Array(MAX_ATTEMPTS - 1).fill('retrying'),
      'parked',
    ]);
    const parked = await server.services.store.outbox.forPhoto(photoId);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      step: 'render_renditions',
      attempts: MAX_ATTEMPTS,
      parkedAt: expect.any(String),
      lastError: expect.stringMatching(/^injected write failure/),
    });
  });

  it('lets an admin, and only an admin, send a failed photo through again from its parked step', async () => {
    const { owner, photoId, fault } = await photoFailingToRender();
    await photoWithStatus(owner.token, photoId, 'failed');
    fault.heal();

    const refused = await retry(owner.token, photoId);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'insufficient_scope' });
    expect((await getPhoto(owner.token, photoId)).status).toBe('failed');

    const admin = await adminToken();
    const accepted = await retry(admin, photoId);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({
      id: photoId,
      status: 'processing',
      statusReason: null,
    });

    const ready = await photoWithStatus(owner.token, photoId, 'ready');
    expect(ready.statusReason).toBeNull();
    expect(ready.renditions.map((r) => r.name)).toEqual(['thumbnail', 'medium']);
    // The steps before the parked one are not run again; the parked one starts a fresh count.
    for (const step of ['store_original', 'publish_original'] as const)
      expect(await attemptsOf(photoId, step)).toHaveLength(1);
    const render = await attemptsOf(photoId, 'render_renditions');
    expect(render.at(-1)).toMatchObject({ attempt: 1, outcome: 'succeeded' });
    expect(render).toHaveLength(MAX_ATTEMPTS + 1);

    const again = await retry(admin, photoId);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'conflict' });
  });

  it('parks a corrupt image at once, without holding up a good photo uploaded after it', async () => {
    const owner = await registerUser(server.url);
    // The header is intact, so the upload is accepted; the pixels are damaged.
    const corrupt = await uploadPhoto(server.url, await brokenPixelsPng(seed++), {
      token: owner.token,
      metadata: { filename: 'broken.png' },
    });
    expect(corrupt.photo.status).toBe('processing');
    const good = await uploadPhoto(server.url, await testPhoto(seed++), { token: owner.token });

    await photoWithStatus(owner.token, good.photo.id, 'ready');
    const failed = await photoWithStatus(owner.token, corrupt.photo.id, 'failed');
    expect(failed.statusReason).toMatch(/^render_renditions: Cannot decode PNG image/);
    const attempts = await attemptsOf(corrupt.photo.id, 'render_renditions');
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'parked']]);
  });

  it('parks an event whose payload does not fit its step at once, saying what is wrong', async () => {
    const owner = await registerUser(server.url);
    const record = photoRecord(owner.userId, { status: 'processing' });
    await server.services.store.photos.insertUnlessDuplicate(record);
    const now = new Date().toISOString();
    // As an older version, other code or a damaged row might have written it.
    const damaged = { step: 'finalize', payload: { renditions: 'none', placeholder: 7 } };
    await server.services.store.outbox.enqueue({
      ...(damaged as unknown as NewOutboxEvent),
      id: uuidv7(),
      photoId: record.id,
      availableAt: now,
      createdAt: now,
    });
    const failed = await photoWithStatus(owner.token, record.id, 'failed');
    expect(failed.statusReason).toMatch(
      /^finalize: its payload does not fit finalize: renditions: .*; placeholder: /,
    );
    const attempts = await attemptsOf(record.id, 'finalize');
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'parked']]);
  });
});
