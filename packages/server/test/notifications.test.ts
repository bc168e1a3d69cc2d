import type { Notification } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../src/domain/notifications.ts';
import { callApi, readyPhoto } from './api-calls.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { seedPhotos } from './seed.ts';
import { allNotifications, follow, setProfile, unreadCount } from './social.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('notifications', () => {
  let server: TestServer;
  let seed = 400;

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
  });
  afterAll(() => server?.destroy());

  const users = async (n: number): Promise<User[]> => {
    const made: User[] = [];
    for (let i = 0; i < n; i++) made.push(await registerUser(server.url));
    return made;
  };
  const aboutPhoto = async (user: User, photoId: string) =>
    (await allNotifications(server.url, user)).filter((n) => n.photoId === photoId);

  describe('new_photo', () => {
    it('tells followers who may see the photo once it is ready, and nobody else', async () => {
      const [owner, fan, friend, stranger] = (await users(4)) as [User, User, User, User];
      await follow(server.url, fan, owner.username);
      await follow(server.url, friend, owner.username);
      await callApi(server.url, owner, 'POST', '/v1/shares', { username: friend.username });

      const open = await readyPhoto(server.url, owner, seed++, { visibility: 'public' });
      const closed = await readyPhoto(server.url, owner, seed++, { visibility: 'private' });
      await eventually(async () =>
        (await aboutPhoto(fan, open.id)).length === 1 ? true : undefined,
      );
      await eventually(async () =>
        (await aboutPhoto(friend, closed.id)).length === 1 ? true : undefined,
      );
      expect(await aboutPhoto(friend, open.id)).toMatchObject([
        { kind: 'new_photo', actor: { id: owner.userId, username: owner.username }, readAt: null },
      ]);
      // The fan may not see the private photo: no notification was written for it.
      expect(await server.services.store.notifications.countAbout('new_photo', closed.id)).toBe(1);
      expect(await aboutPhoto(fan, closed.id)).toEqual([]);
      for (const photo of [open, closed]) {
        expect(await aboutPhoto(stranger, photo.id)).toEqual([]);
        expect(await aboutPhoto(owner, photo.id)).toEqual([]);
      }
    });

    it('tells only those it shared with when the profile is private', async () => {
      const [owner, fan, friend] = (await users(3)) as [User, User, User];
      await follow(server.url, fan, owner.username);
      await follow(server.url, friend, owner.username);
      await callApi(server.url, owner, 'POST', '/v1/shares', { username: friend.username });
      await setProfile(server.url, owner, 'private');
      const photo = await readyPhoto(server.url, owner, seed++, { visibility: 'public' });
      await eventually(async () =>
        (await server.services.store.outbox.forPhoto(photo.id)).length === 0 ? true : undefined,
      );
      expect(await aboutPhoto(friend, photo.id)).toHaveLength(1);
      expect(await aboutPhoto(fan, photo.id)).toEqual([]);
    });

    it('hides a notification, in the list and the count, once its photo is deleted or hidden', async () => {
      const [owner, fan] = (await users(2)) as [User, User];
      await follow(server.url, fan, owner.username);
      const photo = await readyPhoto(server.url, owner, seed++, { visibility: 'public' });
      await eventually(async () => ((await unreadCount(server.url, fan)) === 1 ? true : undefined));
      await callApi(server.url, owner, 'PATCH', `/v1/photos/${photo.id}`, {
        visibility: 'private',
      });
      expect(await aboutPhoto(fan, photo.id)).toEqual([]);
      expect(await unreadCount(server.url, fan)).toBe(0);
      await callApi(server.url, owner, 'PATCH', `/v1/photos/${photo.id}`, {
        visibility: 'public',
      });
      expect(await unreadCount(server.url, fan)).toBe(1);
      await callApi(server.url, owner, 'DELETE', `/v1/photos/${photo.id}`);
      expect(await allNotifications(server.url, fan)).toEqual([]);
      expect(await unreadCount(server.url, fan)).toBe(0);
    });
  });

  describe('share_granted', () => {
    it('is written with the grant, once however many grants are in flight, and again after a revoke', async () => {
      const [sharer, viewer] = (await users(2)) as [User, User];
      const grants = await Promise.all(
        Array.from({ length: 6 }, () =>
          callApi(server.url, sharer, 'POST', '/v1/shares', { username: viewer.username }),
        ),
      );
      expect(grants.map((g) => g.status)).toEqual(grants.map(() => 201));
      const told = await allNotifications(server.url, viewer);
      expect(told).toMatchObject([
        { kind: 'share_granted', actor: { username: sharer.username }, photoId: null },
      ]);
      await callApi(server.url, sharer, 'DELETE', `/v1/shares/${viewer.username}`);
      await callApi(server.url, sharer, 'POST', '/v1/shares', { username: viewer.username });
      expect(await allNotifications(server.url, viewer)).toHaveLength(2);
    });
  });

  describe('notify (for other services’ transactions)', () => {
    it('exists exactly when the transaction commits, once per subject, never for the actor', async () => {
      const [owner, commenter] = (await users(2)) as [User, User];
      const { store } = server.services;
      const [photoId] = (await seedPhotos(store, owner.userId, 1)) as [string];
      const request = {
        recipientId: owner.userId,
        kind: 'comment_added' as const,
        actorId: commenter.userId,
        photoId,
        subject: 'comment-1',
      };
      await expect(
        store.transaction(async (tx) => {
          await notify(tx, request);
          throw new Error('the comment failed to save');
        }),
      ).rejects.toThrow('the comment failed to save');
      expect(await allNotifications(server.url, owner)).toEqual([]);

      expect(await store.transaction((tx) => notify(tx, request))).toBe(true);
      expect(await store.transaction((tx) => notify(tx, request))).toBe(false);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.transaction((tx) => notify(tx, { ...request, subject: 'comment-2' })),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(
        await notify(store, {
          ...request,
          kind: 'photo_favorited',
          subject: `${photoId}:${commenter.userId}`,
        }),
      ).toBe(true);
      expect(await notify(store, { ...request, actorId: owner.userId, subject: 'own' })).toBe(
        false,
      );

      const listed = await allNotifications(server.url, owner);
      expect(listed.map((n) => n.kind)).toEqual([
        'photo_favorited',
        'comment_added',
        'comment_added',
      ]);
      expect(await unreadCount(server.url, owner)).toBe(3);
    });
  });

  describe('reading', () => {
    let reader: User;
    let listed: Notification[];

    beforeAll(async () => {
      const [owner] = (await users(1)) as [User];
      reader = (await users(1))[0] as User;
      const { store } = server.services;
      const photoIds = await seedPhotos(store, owner.userId, 30);
      for (const [i, photoId] of photoIds.entries())
        await notify(store, {
          recipientId: reader.userId,
          kind: 'photo_favorited',
          actorId: owner.userId,
          photoId,
          subject: `n${i}`,
        });
      listed = await allNotifications(server.url, reader);
    });

    it('lists newest first in exact pages, filtered to unread on request', async () => {
      expect(listed).toHaveLength(30);
      const ids = listed.map((n) => n.id);
      expect(ids).toEqual([...ids].sort().reverse());
      const first = await callApi<{ items: Notification[]; nextCursor: string }>(
        server.url,
        reader,
        'GET',
        '/v1/notifications?limit=7',
      );
      expect(first.body.items.map((n) => n.id)).toEqual(ids.slice(0, 7));
      const bad = await fetch(`${server.url}/v1/notifications?after=forged`, {
        headers: { authorization: `Bearer ${reader.token}` },
      });
      await expectProblem(bad, 400, 'invalid_cursor');
    });

    it('marks read one, up to one, and all; each answer matches what a later read shows, with requests in flight', async () => {
      const [newest, second, third] = listed as [Notification, Notification, Notification];
      const ones = await Promise.all(
        Array.from({ length: 5 }, () =>
          callApi(server.url, reader, 'POST', `/v1/notifications/${second.id}/read`),
        ),
      );
      expect(ones.map((a) => a.status)).toEqual(ones.map(() => 204));
      expect(await unreadCount(server.url, reader)).toBe(29);

      const upTo = await callApi<{ marked: number }>(
        server.url,
        reader,
        'POST',
        '/v1/notifications/read',
        {
          upTo: listed[20]?.id,
        },
      );
      // listed[20] … listed[29] are ten, of which none was read.
      expect(upTo.body.marked).toBe(10);
      expect(await unreadCount(server.url, reader)).toBe(19);
      const unread = await allNotifications(server.url, reader, '&unread=true');
      expect(unread.map((n) => n.id)).toEqual(
        listed
          .slice(0, 20)
          .filter((n) => n.id !== second.id)
          .map((n) => n.id),
      );

      const alls = await Promise.all(
        Array.from({ length: 4 }, () =>
          callApi<{ marked: number }>(server.url, reader, 'POST', '/v1/notifications/read', {}),
        ),
      );
      // Each notification was marked by exactly one of the racing requests.
      expect(alls.reduce((sum, a) => sum + a.body.marked, 0)).toBe(19);
      expect(await unreadCount(server.url, reader)).toBe(0);
      const after = await allNotifications(server.url, reader);
      expect(after.every((n) => n.readAt !== null)).toBe(true);
      expect(after.find((n) => n.id === newest.id)?.readAt).toBeTruthy();
      expect(third.readAt).toBeNull();
    });

    it('answers 404 for a notification that is not the caller’s', async () => {
      const [other] = (await users(1)) as [User];
      const theirs = await fetch(`${server.url}/v1/notifications/${listed[0]?.id}/read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.token}` },
      });
      await expectProblem(theirs, 404, 'not_found');
    });
  });
});
