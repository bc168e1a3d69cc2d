// Favorites: added and removed idempotently, under concurrent requests too;
// counted on every photo response, with whether the caller favorited it,
// at a fixed number of queries a page; listed newest first, never showing
// a photo the user may no longer see.
import type { Favorite, FavoriteState, Page, Photo } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canSee, type Relationship } from '../src/domain/access.ts';
import { uuidv7 } from '../src/domain/ids.ts';
import type { MetadataStore, PhotoRecord } from '../src/ports/metadata-store.ts';
import { callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { photoRecord, seedPhotos } from './seed.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('favorites', () => {
  let server: TestServer;
  let owner: User;
  let fan: User;

  const api = <T = Record<string, unknown>>(
    user: User | undefined,
    method: string,
    path: string,
    body?: unknown,
  ) => callApi<T>(server.url, user, method, path, body);
  const favorite = async (user: User, photoId: string) => {
    const answer = await api<FavoriteState>(user, 'PUT', `/v1/photos/${photoId}/favorite`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const unfavorite = async (user: User, photoId: string) => {
    const answer = await api<FavoriteState>(user, 'DELETE', `/v1/photos/${photoId}/favorite`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const mine = async (user: User, query = '') => {
    const answer = await api<Page<Favorite>>(user, 'GET', `/v1/me/favorites?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const ids = (page: Page<Favorite>) => page.items.map((item) => item.photo.id);
  const photoOf = async (user: User, overrides: Partial<PhotoRecord> = {}) =>
    (await seedPhotos(server.services.store, user.userId, 1, overrides))[0] as string;

  beforeAll(async () => {
    // Many users register here, each counting against the per-address limit of attempts.
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    owner = await registerUser(server.url);
    fan = await registerUser(server.url);
  });
  afterAll(() => server.destroy());

  it('adds and removes a favorite idempotently, and every photo response counts it', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    expect(await favorite(fan, photo)).toEqual({
      photoId: photo,
      favorited: true,
      favoriteCount: 1,
    });
    expect(await favorite(fan, photo)).toEqual({
      photoId: photo,
      favorited: true,
      favoriteCount: 1,
    });
    expect(await favorite(owner, photo)).toEqual({
      photoId: photo,
      favorited: true,
      favoriteCount: 2,
    });

    const seen = async (user: User | undefined) => {
      const single = (await api<Photo>(user, 'GET', `/v1/photos/${photo}`)).body;
      const listed = (
        await api<Page<Photo>>(user, 'GET', `/v1/users/${owner.username}/photos?limit=100`)
      ).body.items.find((item) => item.id === photo);
      expect(listed).toMatchObject({
        favoriteCount: single.favoriteCount,
        favorited: single.favorited,
      });
      return { favoriteCount: single.favoriteCount, favorited: single.favorited };
    };
    expect(await seen(fan)).toEqual({ favoriteCount: 2, favorited: true });
    expect(await seen(undefined)).toEqual({ favoriteCount: 2, favorited: false });

    expect(await unfavorite(fan, photo)).toEqual({
      photoId: photo,
      favorited: false,
      favoriteCount: 1,
    });
    expect(await unfavorite(fan, photo)).toEqual({
      photoId: photo,
      favorited: false,
      favoriteCount: 1,
    });
    expect(await seen(fan)).toEqual({ favoriteCount: 1, favorited: false });
    expect(await seen(owner)).toEqual({ favoriteCount: 1, favorited: true });
  });

  it('counts each user once however many of their requests race, and tells the owner once per fan', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const fans = [fan, ...(await Promise.all([1, 2, 3, 4, 5].map(() => registerUser(server.url))))];
    // Every fan sends the same request four times at once.
    const added = await Promise.all(
      fans.flatMap((user) => [1, 2, 3, 4].map(() => favorite(user, photo))),
    );
    expect(added.every((state) => state.favorited)).toBe(true);
    const { store } = server.services;
    expect((await store.photos.byId(photo))?.favoriteCount).toBe(fans.length);
    const told = async () =>
      (
        await api<{
          items: { kind: string; photoId: string | null; actor: { id: string } | null }[];
        }>(owner, 'GET', '/v1/notifications?limit=100')
      ).body.items.filter((n) => n.photoId === photo);
    const favorited = await told();
    expect(favorited.map((n) => n.kind)).toEqual(fans.map(() => 'photo_favorited'));
    expect(new Set(favorited.map((n) => n.actor?.id))).toEqual(
      new Set(fans.map((user) => user.userId)),
    );

    // Adds and removes racing each other end with the count matching the rows.
    await Promise.all(
      fans.flatMap((user, i) => [
        unfavorite(user, photo),
        i % 2 ? favorite(user, photo) : unfavorite(user, photo),
      ]),
    );
    const rows = await Promise.all(
      fans.map(async (user) => (await store.favorites.favoritedAmong(user.userId, [photo])).size),
    );
    expect((await store.photos.byId(photo))?.favoriteCount).toBe(rows.reduce((a, b) => a + b, 0));
    await Promise.all(fans.map((user) => unfavorite(user, photo)));
    expect((await store.photos.byId(photo))?.favoriteCount).toBe(0);
    // Removing tells nobody, and adding again tells the owner nothing new.
    await favorite(fan, photo);
    expect(await told()).toHaveLength(fans.length);
  });

  it('lists mine, the most recently added first, page by page both ways', async () => {
    const user = await registerUser(server.url);
    const photos = await seedPhotos(server.services.store, owner.userId, 5, {
      visibility: 'public',
    });
    // Favorited in another order than the photos were made.
    const order = [photos[2], photos[0], photos[4], photos[1], photos[3]] as string[];
    for (const photo of order) await favorite(user, photo);
    const newestFirst = [...order].reverse();

    const first = await mine(user, 'limit=2');
    expect(ids(first)).toEqual(newestFirst.slice(0, 2));
    expect(first.prevCursor).toBeNull();
    const second = await mine(user, `limit=2&after=${first.nextCursor}`);
    expect(ids(second)).toEqual(newestFirst.slice(2, 4));
    const last = await mine(user, `limit=2&after=${second.nextCursor}`);
    expect(ids(last)).toEqual(newestFirst.slice(4));
    expect(last.nextCursor).toBeNull();
    expect(ids(await mine(user, `limit=2&before=${last.prevCursor}`))).toEqual(ids(second));

    // Each item is the photo as the user sees it, and when it was favorited.
    expect(first.items[0]).toMatchObject({
      favoritedAt: expect.any(String),
      photo: { id: newestFirst[0], favorited: true, favoriteCount: 1 },
    });
    // Favoriting again does not move it up; removing and adding again does.
    await favorite(user, newestFirst[4] as string);
    expect(ids(await mine(user))[0]).toBe(newestFirst[0]);
    await unfavorite(user, newestFirst[4] as string);
    await favorite(user, newestFirst[4] as string);
    expect(ids(await mine(user))[0]).toBe(newestFirst[4]);
  });

  it('never lists a photo the user may no longer see, and lists it again once they may', async () => {
    const user = await registerUser(server.url);
    await api(owner, 'POST', '/v1/shares', { username: user.username });
    const [shared, publicOne, doomed] = [
      await photoOf(owner, { visibility: 'private' }),
      await photoOf(owner, { visibility: 'public' }),
      await photoOf(owner, { visibility: 'public' }),
    ];
    for (const photo of [shared, publicOne, doomed]) await favorite(user, photo);
    expect(ids(await mine(user))).toEqual([doomed, publicOne, shared]);

    await api(owner, 'DELETE', `/v1/shares/${user.username}`);
    await api(owner, 'PATCH', `/v1/photos/${publicOne}`, { visibility: 'private' });
    await api(owner, 'DELETE', `/v1/photos/${doomed}`);
    const hidden = await mine(user);
    expect(hidden).toEqual({ items: [], nextCursor: null, prevCursor: null });
    // Nor through paging around them, nor by asking for it.
    expect((await api(user, 'GET', `/v1/photos/${shared}`)).status).toBe(404);
    expect((await api(user, 'PUT', `/v1/photos/${shared}/favorite`)).status).toBe(404);
    expect((await api(user, 'DELETE', `/v1/photos/${shared}/favorite`)).status).toBe(404);

    await api(owner, 'POST', '/v1/shares', { username: user.username });
    expect(ids(await mine(user))).toEqual([publicOne, shared]);
  });

  it('filters favorites in SQL by exactly the rule the API reads photos by', async () => {
    const { store } = server.services;
    const viewer = await registerUser(server.url);
    const grantor = await registerUser(server.url);
    const other = await registerUser(server.url);
    await store.grants.grant(grantor.userId, viewer.userId, new Date().toISOString());
    const admin = await registerUser(server.url);
    const cases: { photo: PhotoRecord; relation: Relationship; asAdmin: boolean }[] = [];
    for (const [ownerId, relation] of [
      [viewer.userId, 'owner'],
      [grantor.userId, 'granted'],
      [other.userId, 'stranger'],
    ] as const)
      for (const status of ['processing', 'ready', 'failed'] as const)
        for (const visibility of ['public', 'private'] as const)
          for (const deletedAt of [null, new Date().toISOString()]) {
            const photo = photoRecord(ownerId, { status, visibility, deletedAt });
            await store.photos.insertUnlessDuplicate(photo);
            for (const [userId, asAdmin] of [
              [viewer.userId, false],
              [admin.userId, true],
            ] as const) {
              await favoriteDirectly(store, userId, photo.id);
              cases.push({ photo, relation: asAdmin ? 'admin' : relation, asAdmin });
            }
          }
    for (const asAdmin of [false, true]) {
      const userId = asAdmin ? admin.userId : viewer.userId;
      const listed = new Set(
        (await store.favorites.list({ userId, isAdmin: asAdmin }, { limit: 1000 })).map(
          (favorite) => favorite.photo.id,
        ),
      );
      const expected = new Set(
        cases
          .filter((c) => c.asAdmin === asAdmin && canSee(c.relation, c.photo))
          .map((c) => c.photo.id),
      );
      expect(listed).toEqual(expected);
    }
  });

  it('reads a page of any length with the same number of queries', async () => {
    const user = await registerUser(server.url);
    const photos = await seedPhotos(server.services.store, user.userId, 30, {
      visibility: 'public',
    });
    for (const photo of photos.slice(0, 20)) await favorite(fan, photo);
    const calls = async (limit: number, path: (limit: number) => string) => {
      const counted = countCalls(server.services.store);
      try {
        const answer = await api<Page<unknown>>(fan, 'GET', path(limit));
        expect(answer.body.items).toHaveLength(limit);
      } finally {
        counted.restore();
      }
      return counted.calls;
    };
    const listing = (limit: number) => `/v1/users/${user.username}/photos?limit=${limit}`;
    const favorites = (limit: number) => `/v1/me/favorites?limit=${limit}`;
    for (const path of [listing, favorites]) {
      const few = await calls(2, path);
      const many = await calls(20, path);
      expect(many).toEqual(few);
      expect(many.get('favorites.favoritedAmong') ?? 0).toBeLessThanOrEqual(1);
    }
  });
});

async function favoriteDirectly(store: MetadataStore, userId: string, photoId: string) {
  await store.transaction((tx) =>
    tx.favorites.add({
      id: uuidv7(),
      userId,
      photoId,
      createdAt: new Date().toISOString(),
    }),
  );
}

/**
 * Counts the calls to the methods of the repositories a listing reads, until
 * restored (users and tokens left out: authentication reads them as its
 * caches expire, whatever the page).
 */
function countCalls(store: MetadataStore) {
  const calls = new Map<string, number>();
  const restore: (() => void)[] = [];
  for (const name of ['photos', 'albums', 'grants', 'favorites'] as const) {
    const repository = store[name] as unknown as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
      const original = repository[method];
      if (method === 'constructor' || typeof original !== 'function') continue;
      repository[method] = (...args: unknown[]) => {
        calls.set(`${name}.${method}`, (calls.get(`${name}.${method}`) ?? 0) + 1);
        return (original as (...a: unknown[]) => unknown).apply(repository, args);
      };
      restore.push(() => {
        delete repository[method];
      });
    }
  }
  return {
    calls,
    restore: () => {
      for (const undo of restore) undo();
    },
  };
}
