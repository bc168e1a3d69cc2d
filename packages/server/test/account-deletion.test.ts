// Deleting an account (DELETE /v1/me): confirmed by the password, then
// everything of the account unreachable in one transaction (API, search,
// the CDN tier), its files purged by the purge job on its schedule, its
// comments, favorites, follows, grants and notifications gone, its username
// kept from anyone else; safe against retries and against writes racing it.

import { Readable } from 'node:stream';
import type { Comment, Page, Photo, Problem } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/domain/ids.ts';
import { expireAbandonedUploads } from '../src/jobs/expire-uploads.ts';
import { purgeDeletedPhotos } from '../src/jobs/purge-deleted.ts';
import { type ApiAnswer, callApi, readyPhoto } from './api-calls.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { seedPhotos } from './seed.ts';
import { allNotifications } from './social.ts';
import { createUpload, patchUpload } from './tus-protocol.ts';
import { testPhoto } from './uploads.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

const PASSWORD = 'a long passphrase';

describe('account deletion', () => {
  let server: TestServer;
  let bob: User;
  let seed = 700;

  const api = <T = Record<string, unknown>>(
    user: { token: string } | undefined,
    method: string,
    path: string,
    body?: unknown,
  ) => callApi<T>(server.url, user, method, path, body);
  const deleteAccount = (user: { token: string }, password = PASSWORD) =>
    api<Problem | undefined>(user, 'DELETE', '/v1/me', { password });
  const cdn = (url: string) => fetch(new URL(url, server.url));
  /** The principal of a token as read now: what another process's cache may hold for seconds. */
  const principalOf = async (user: User) => {
    const principal = await server.services.accounts.authenticate(user.token);
    if (!principal) throw new Error(`${user.username}'s token does not authenticate`);
    return principal;
  };
  const problemOf = ({ body }: ApiAnswer<unknown>) => ({
    ...(body as Problem),
    requestId: undefined,
  });

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    bob = await registerUser(server.url);
  });
  afterAll(() => server.destroy());

  it('refuses a wrong password and a token without the delete scope, and deletes nothing', async () => {
    const alice = await registerUser(server.url);
    const wrong = await deleteAccount(alice, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });

    const created = await api<{ token: string }>(alice, 'POST', '/v1/tokens', {
      name: 'ci',
      scopes: ['read', 'write'],
    });
    const unscoped = await deleteAccount({ token: created.body.token });
    expect(unscoped.status).toBe(403);
    expect(unscoped.body).toMatchObject({ code: 'insufficient_scope' });

    expect((await api(alice, 'GET', '/v1/me')).status).toBe(200);
    expect(
      (await api(undefined, 'POST', '/v1/auth/login', { ...alice, password: PASSWORD })).status,
    ).toBe(200);
  });

  it('makes the account and everything of it unreachable at once, and keeps its username taken', async () => {
    const alice = await registerUser(server.url);
    const store = server.services.store;
    const apiToken = (
      await api<{ token: string }>(alice, 'POST', '/v1/tokens', { name: 'ci', scopes: ['read'] })
    ).body.token;
    const photo = await readyPhoto(server.url, alice, seed++, {
      visibility: 'public',
      album: 'holidays',
    });
    await api(alice, 'PATCH', `/v1/photos/${photo.id}`, { title: 'walrusdeleted' });
    const bobsPhoto = await readyPhoto(server.url, bob, seed++, { visibility: 'public' });
    // Everything social, both ways.
    const comment = await api<Comment>(alice, 'POST', `/v1/photos/${bobsPhoto.id}/comments`, {
      text: 'nice one',
    });
    expect(comment.status).toBe(201);
    const setup = [
      await api(bob, 'POST', `/v1/photos/${photo.id}/comments`, { text: 'thanks' }),
      await api(alice, 'PUT', `/v1/photos/${bobsPhoto.id}/favorite`),
      await api(bob, 'PUT', `/v1/photos/${photo.id}/favorite`),
      await api(alice, 'PUT', `/v1/following/${bob.username}`),
      await api(bob, 'PUT', `/v1/following/${alice.username}`),
      await api(alice, 'POST', '/v1/shares', { username: bob.username }),
      await api(bob, 'POST', '/v1/shares', { username: alice.username }),
    ];
    for (const { status } of setup) expect([200, 201]).toContain(status);
    expect((await api<Photo>(bob, 'GET', `/v1/photos/${bobsPhoto.id}`)).body.favoriteCount).toBe(1);
    expect(
      (await allNotifications(server.url, bob)).filter((n) => n.actor?.id === alice.userId),
    ).not.toEqual([]);
    for (const side of ['followers', 'following'])
      expect(
        (await api<Page<unknown>>(bob, 'GET', `/v1/users/${bob.username}/${side}`)).body.items,
      ).toHaveLength(1);
    // Files fetched through the CDN tier before, by anyone and by a viewer it shared with.
    const thumbnail = photo.renditions[0]?.url as string;
    const original = (await api<Photo>(bob, 'GET', `/v1/photos/${photo.id}`)).body
      .originalUrl as string;
    expect((await cdn(thumbnail)).status).toBe(200);
    expect((await cdn(original)).status).toBe(200);

    expect((await deleteAccount(alice)).status).toBe(204);

    // No token works, and signing in is refused exactly as for an unknown user.
    for (const token of [alice.token, apiToken])
      expect((await api({ token }, 'GET', '/v1/me')).status).toBe(401);
    const login = await api(undefined, 'POST', '/v1/auth/login', {
      username: alice.username,
      password: PASSWORD,
    });
    const unknown = await api(undefined, 'POST', '/v1/auth/login', {
      username: 'nobody-here',
      password: PASSWORD,
    });
    expect(problemOf(login)).toEqual(problemOf(unknown));
    // The photo: not through the API, not in search, not through the CDN tier.
    expect((await api(bob, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);
    expect((await api(bob, 'GET', `/v1/users/${alice.username}/photos`)).status).toBe(404);
    expect((await api(bob, 'GET', `/v1/users/${alice.username}/albums`)).status).toBe(404);
    const found = await api<Page<Photo>>(bob, 'GET', '/v1/search/photos?q=walrusdeleted');
    expect(found.body.items).toEqual([]);
    expect((await cdn(thumbnail)).status).toBe(404);
    expect((await cdn(original)).status).toBe(404);
    // What bob sees of alice: nothing.
    const comments = await api<Page<Comment>>(bob, 'GET', `/v1/photos/${bobsPhoto.id}/comments`);
    expect(comments.body.items).toEqual([]);
    expect((await api<Photo>(bob, 'GET', `/v1/photos/${bobsPhoto.id}`)).body.favoriteCount).toBe(0);
    for (const side of ['followers', 'following'])
      expect(
        (await api<Page<unknown>>(bob, 'GET', `/v1/users/${bob.username}/${side}`)).body.items,
      ).toEqual([]);
    expect((await api<{ items: unknown[] }>(bob, 'GET', '/v1/shares')).body.items).toEqual([]);
    expect((await api<{ items: unknown[] }>(bob, 'GET', '/v1/shares/to-me')).body.items).toEqual(
      [],
    );
    expect(
      (await allNotifications(server.url, bob)).filter((n) => n.actor?.id === alice.userId),
    ).toEqual([]);
    expect(await store.notifications.countUnread(alice.userId)).toBe(0);
    expect((await api(bob, 'PUT', `/v1/following/${alice.username}`)).status).toBe(404);
    expect((await api(bob, 'POST', '/v1/shares', { username: alice.username })).status).toBe(404);
    // The name is not free for someone else to pass as alice.
    const again = await api(undefined, 'POST', '/v1/auth/register', {
      username: alice.username,
      password: PASSWORD,
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'username_taken' });
    // The tombstone keeps no password; the albums are gone, the photo waits for the purge.
    const tombstone = await store.users.byId(alice.userId);
    expect(tombstone).toMatchObject({ passwordHash: '', deletedAt: expect.any(String) });
    expect(await store.albums.listForOwner(alice.userId)).toEqual([]);
    expect((await store.photos.byId(photo.id))?.deletedAt).toEqual(expect.any(String));

    // The purge job, on its usual schedule, removes the files and rows.
    const key = thumbnail.slice('/cdn/'.length, thumbnail.indexOf('?'));
    expect(await server.services.cdn.stat(key)).toBeDefined();
    await purgeDeletedPhotos(
      store,
      [server.services.cdn, server.services.blobs],
      server.services.renditions,
      0,
    );
    expect(await server.services.cdn.stat(key)).toBeUndefined();
    expect(await server.services.blobs.stat(key)).toBeUndefined();
    expect(await store.photos.byId(photo.id)).toBeUndefined();
  });

  it('abandons uploads in progress: tus answers 410, the expiry job removes their bytes', async () => {
    const alice = await registerUser(server.url);
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, alice.token, data);
    expect((await patchUpload(url, alice.token, 0, data.subarray(0, 100))).status).toBe(204);
    const id = url.split('/').at(-1) as string;
    const stale = await principalOf(alice);

    expect((await deleteAccount(alice)).status).toBe(204);

    expect((await patchUpload(url, alice.token, 100, data.subarray(100))).status).toBe(401);
    const rest = { offset: 100, body: Readable.from([data.subarray(100)]) };
    await expect(server.services.resumable.append(stale, id, rest)).rejects.toMatchObject({
      code: 'gone',
    });
    expect(
      await expireAbandonedUploads(server.services.store.uploads, server.services.staging),
    ).toBeGreaterThanOrEqual(1);
    expect(await server.services.store.uploads.byId(id)).toBeUndefined();
  });

  it('refuses writes of a principal read before the deletion', async () => {
    const alice = await registerUser(server.url);
    const bobsPhoto = (await seedPhotos(server.services.store, bob.userId, 1))[0] as string;
    const stale = await principalOf(alice);
    expect((await deleteAccount(alice)).status).toBe(204);

    const { accounts, albums, comments, favorites, follows, shares } = server.services;
    for (const write of [
      () => comments.add(stale, bobsPhoto, 'too late'),
      () => favorites.add(stale, bobsPhoto),
      () => follows.follow(stale, bob.username),
      () => shares.grant(stale, bob.username),
      () => albums.create(stale, 'too late'),
      () => accounts.updateSettings(stale, { commentsEnabledByDefault: false }),
      () => accounts.createApiToken(stale, { name: 'too late', scopes: ['read'] }),
    ])
      await expect(write()).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(await server.services.store.comments.byAuthor(alice.userId, undefined, 10)).toEqual([]);
    expect((await server.services.store.photos.byId(bobsPhoto))?.favoriteCount).toBe(0);
    expect(await server.services.store.albums.listForOwner(alice.userId)).toEqual([]);
    expect(await server.services.store.tokens.listForUser(alice.userId)).toEqual([]);
  });

  it('ends the saga of a photo still processing harmlessly', async () => {
    const alice = await registerUser(server.url);
    const store = server.services.store;
    const [processing] = await seedPhotos(store, alice.userId, 1, { status: 'processing' });
    const id = processing as string;
    expect((await deleteAccount(alice)).status).toBe(204);
    // The deletion leaves the saga's events as they were: a step of the photo still due,
    // as the pivot enqueues it, is what a worker finds next.
    await store.outbox.enqueue({
      id: uuidv7(),
      photoId: id,
      step: 'store_original',
      payload: { uploadId: uuidv7(), clientThumbnail: false },
      availableAt: new Date().toISOString(),
      createdAt: new Date().toISOString(),
    });
    // The worker of this server (role all) takes the event and ends the saga without running it.
    await eventually(
      async () => ((await store.outbox.forPhoto(id)).length === 0 ? true : undefined),
      20_000,
      'the saga to end',
    );
    // Not run: the photo is as the deletion left it, and its one attempt ended the saga.
    expect(await store.photos.byId(id)).toMatchObject({
      status: 'processing',
      originalKey: null,
      deletedAt: expect.any(String),
    });
    const attempts = await store.sagaAttempts.forPhoto(id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
  });

  it('answers every one of several deletions in flight at once, and deletes once', async () => {
    const alice = await registerUser(server.url);
    await seedPhotos(server.services.store, alice.userId, 3);
    const answers = await Promise.all(Array.from({ length: 4 }, () => deleteAccount(alice)));
    const statuses = answers.map((answer) => answer.status);
    // A request that authenticated before the first commit is answered as done;
    // one that authenticated after finds the token revoked.
    expect(statuses).toContain(204);
    for (const status of statuses) expect([204, 401]).toContain(status);
    expect(await server.services.store.photos.countLive(alice.userId)).toBe(0);
  });

  it('leaves no reachable photo or comment when upload completions and comments race it', async () => {
    const target = (await seedPhotos(server.services.store, bob.userId, 1))[0] as string;
    const store = server.services.store;
    for (let round = 0; round < 3; round++) {
      const alice = await registerUser(server.url);
      // Uploads with all but their last byte sent: the next PATCH of each is its pivot.
      const pending = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const data = await testPhoto(seed++, 64, 48);
          const url = await createUpload(server.url, alice.token, data);
          const head = data.subarray(0, data.length - 1);
          expect((await patchUpload(url, alice.token, 0, head)).status).toBe(204);
          return { url, data };
        }),
      );
      // Commenters keep commenting until their token stops working, so a comment is
      // always in flight when the deletion commits; completions are spread across it.
      const commenter = async () => {
        const statuses: number[] = [];
        for (let i = 0; !statuses.includes(401); i++)
          statuses.push(
            (await api(alice, 'POST', `/v1/photos/${target}/comments`, { text: `c${i}` })).status,
          );
        return statuses;
      };
      const completion = async ({ url, data }: { url: string; data: Buffer }, i: number) => {
        await new Promise((resolve) => setTimeout(resolve, i * 40));
        const last = data.subarray(data.length - 1);
        return (await patchUpload(url, alice.token, data.length - 1, last)).status;
      };
      const [deleted, ...outcomes] = await Promise.all([
        deleteAccount(alice),
        commenter(),
        commenter(),
        ...pending.map(completion),
      ]);
      expect(deleted.status).toBe(204);
      for (const status of outcomes.flat())
        expect([200, 201, 204, 401, 404, 410]).toContain(status);
      // Whatever landed before the deletion went with it; nothing landed after.
      expect(await store.photos.countLive(alice.userId)).toBe(0);
      expect(await store.comments.byAuthor(alice.userId, undefined, 10)).toEqual([]);
    }
    const listed = await api<Page<Comment>>(bob, 'GET', `/v1/photos/${target}/comments`);
    expect(listed.body.items).toEqual([]);
  });

  it('deletes a large account whole, favorites of its photos by others included', async () => {
    const alice = await registerUser(server.url);
    const store = server.services.store;
    const ids = await seedPhotos(store, alice.userId, 2000);
    const asBob = await principalOf(bob);
    for (const photoId of ids.slice(0, 50)) await server.services.favorites.add(asBob, photoId);
    const favorites = async () =>
      (await api<Page<unknown>>(bob, 'GET', '/v1/me/favorites')).body.items;
    expect(await favorites()).not.toEqual([]);
    expect((await deleteAccount(alice)).status).toBe(204);
    expect(await store.photos.countLive(alice.userId)).toBe(0);
    expect(await favorites()).toEqual([]);
  });
});
