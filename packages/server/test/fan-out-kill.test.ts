import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAN_OUT_BATCH, fanOutNewPhoto } from '../src/domain/follower-fan-out.ts';
import type { MetadataStore } from '../src/ports/metadata-store.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { seedPhotos } from './seed.ts';
import { seedFollows, seedUsers } from './social.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';
import { type CrashPoint, exitOf, startWorkerProcess } from './worker-process.ts';

/** More than two batches, so a crash after the first leaves most followers untold. */
const FOLLOWERS = FAN_OUT_BATCH * 2 + 137;

describe('follower fan-out with workers that die mid-way', () => {
  let server: TestServer;
  let owner: { token: string; userId: string; username: string };
  let followers: string[];
  let seed = 700;

  beforeAll(async () => {
    // API only: the photo waits in the outbox until a worker process takes it.
    server = await startTestServer({ FLICKR_RENDITIONS: 'medium:320:webp' }, { role: 'serve' });
    owner = await registerUser(server.url);
    followers = await seedUsers(server.services.store, FOLLOWERS);
    await seedFollows(server.services.store, owner.userId, followers);
  }, 120_000);
  afterAll(() => server?.destroy());

  /** Every follower holds exactly one notification of the photo; nobody else holds one. */
  async function expectEveryFollowerOnce(store: MetadataStore, photoId: string) {
    expect(await store.notifications.countAbout('new_photo', photoId)).toBe(FOLLOWERS);
    for (const id of [followers[0], followers[FAN_OUT_BATCH], followers.at(-1)] as string[]) {
      const mine = await store.notifications.list(id, { unreadOnly: false }, { limit: 1000 });
      expect(mine.filter((n) => n.photoId === photoId)).toHaveLength(1);
    }
    const ownOnes = await store.notifications.list(
      owner.userId,
      { unreadOnly: false },
      { limit: 10 },
    );
    expect(ownOnes.filter((n) => n.photoId === photoId)).toEqual([]);
  }

  it.each<CrashPoint>(['mid-fan-out', 'before-commit'])(
    'killed %s: once a healthy worker takes over, every follower is notified exactly once',
    async (point) => {
      const { photo } = await uploadPhoto(server.url, await testPhoto(seed++), {
        token: owner.token,
        metadata: { visibility: 'public' },
      });
      const crashing = startWorkerProcess(server, {
        env: { FLICKR_SAGA_LEASE_MS: '300', FLICKR_WORKER_CONCURRENCY: '1' },
        faults: { crash: { step: 'notify_followers', point, photoId: photo.id } },
      });
      const exit = await exitOf(crashing);
      expect(exit.signal).toBe('SIGKILL');
      expect(crashing.stdout()).toContain(`crashed notify_followers ${point}`);

      const { store } = server.services;
      const told = await store.notifications.countAbout('new_photo', photo.id);
      // Mid-way: the first batch committed and nothing after it. Before the commit: all of them.
      expect(told).toBe(point === 'mid-fan-out' ? FAN_OUT_BATCH : FOLLOWERS);
      expect((await store.outbox.forPhoto(photo.id)).map((e) => e.step)).toEqual([
        'notify_followers',
      ]);

      const worker = startInProcessWorker(server.services, { concurrency: 1, leaseMs: 300 });
      try {
        await eventually(
          async () => ((await store.outbox.forPhoto(photo.id)).length === 0 ? true : undefined),
          20_000,
          'the fan-out to finish',
        );
      } finally {
        await worker.stop(5_000);
      }
      await expectEveryFollowerOnce(store, photo.id);
      const attempts = await store.sagaAttempts.forPhoto(photo.id);
      expect(attempts.filter((a) => a.step === 'notify_followers').map((a) => a.outcome)).toEqual([
        null,
        'succeeded',
      ]);
    },
    60_000,
  );

  it('runs concurrently with itself without telling anyone twice', async () => {
    const { store } = server.services;
    const [photoId] = await seedPhotos(store, owner.userId, 1);
    const photo = { id: photoId as string, ownerId: owner.userId, visibility: 'public' as const };
    const runs = await Promise.all([1, 2, 3].map(() => fanOutNewPhoto(store, photo, 200)));
    // Each notification was new to exactly one of the runs.
    expect(runs.reduce((sum, n) => sum + n, 0)).toBe(FOLLOWERS);
    await expectEveryFollowerOnce(store, photo.id);
  });
});
