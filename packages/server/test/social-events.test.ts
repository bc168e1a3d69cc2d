// The outbox carries social events (comment_added, photo_favorited) beside
// the saga's steps. No consumer exists yet: the saga's workers must leave
// them alone (never claim, fail or park them, nor be held up by them), and a
// consumer that asks for them gets them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../src/domain/ids.ts';
import { commentAdded, photoFavorited } from '../src/domain/social-events.ts';
import { readyPhoto } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { seedPhotos } from './seed.ts';

describe('social events in the outbox', () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await registerUser(server.url);
  });
  afterAll(() => server.destroy());

  it('are left alone by the saga’s workers, which process uploads past them', async () => {
    const { store } = server.services;
    const [photoId] = (await seedPhotos(store, owner.userId, 1)) as [string];
    // Due long before the upload: the oldest events of the outbox.
    const at = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 50; i++)
      await store.outbox.enqueue(
        photoFavorited({ photoId, userId: owner.userId, ownerId: owner.userId }, at),
      );
    const photo = await readyPhoto(server.url, owner, 4242);
    expect(photo.status).toBe('ready');
    const waiting = await store.outbox.forPhoto(photoId);
    expect(waiting).toHaveLength(50);
    expect(
      waiting.every((e) => e.attempts === 0 && e.parkedAt === null && e.lastError === null),
    ).toBe(true);
    expect((await store.photos.byId(photoId))?.status).toBe('ready');
    expect(await store.outbox.nextDueAt('saga')).toBeUndefined();
    expect(await store.outbox.nextDueAt('social')).toBe(at);
  });

  it('go to a consumer that claims them, oldest first, and are not unparked by a saga retry', async () => {
    const { store } = server.services;
    const [photoId] = (await seedPhotos(store, owner.userId, 1)) as [string];
    const first = commentAdded(
      { commentId: photoId, photoId, authorId: owner.userId, ownerId: owner.userId },
      new Date(Date.now() - 120_000).toISOString(),
    );
    await store.outbox.enqueue(first);
    const now = Date.now();
    const claimed = await store.outbox.claim(
      'notifier',
      nowIso(),
      new Date(now + 30_000).toISOString(),
      'social',
    );
    expect(claimed).toMatchObject({ id: first.id, step: 'comment_added', attempts: 1 });
    // A consumer that fails for good parks its event; the admin's retry of the photo's saga leaves it.
    expect(await store.outbox.park(first.id, 'notifier', 'no such user', nowIso())).toBe(true);
    expect(await store.outbox.unpark(photoId, nowIso())).toBe(0);
    expect((await store.outbox.forPhoto(photoId))[0]?.parkedAt).not.toBeNull();
    // The saga's queue holds none of them.
    expect(await store.outbox.claim('saga', nowIso(), nowIso(), 'saga')).toBeUndefined();
  });
});
