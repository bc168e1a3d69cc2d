import type { Page, Photo } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { seedPhotos } from './seed.ts';

describe('keyset pagination', () => {
  let server: TestServer;
  let owner: { token: string; userId: string; username: string };

  const page = async (query: string): Promise<Page<Photo>> => {
    const response = await fetch(`${server.url}/v1/users/${owner.username}/photos?${query}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Page<Photo>;
  };
  const ids = (p: Page<Photo>) => p.items.map((photo) => photo.id);

  beforeAll(async () => {
    server = await startTestServer();
    owner = await registerUser(server.url);
  });
  afterAll(() => server.destroy());

  it('pages forward and back exactly while photos are added and deleted between pages', async () => {
    const seeded = await seedPhotos(server.services.store, owner.userId, 35);
    const newestFirst = [...seeded].reverse();
    const deleted = new Set<string>();

    const first = await page('limit=10');
    expect(ids(first)).toEqual(newestFirst.slice(0, 10));
    expect(first.prevCursor).toBeNull();

    // Between pages: new photos arrive (newer than everything) and some not yet seen are deleted.
    await seedPhotos(server.services.store, owner.userId, 3);
    for (const id of [newestFirst[12], newestFirst[13]] as string[]) {
      await server.services.store.photos.update(id, { deletedAt: new Date().toISOString() });
      deleted.add(id);
    }
    const second = await page(`limit=10&after=${first.nextCursor}`);
    const remaining = newestFirst.slice(10).filter((id) => !deleted.has(id));
    expect(ids(second)).toEqual(remaining.slice(0, 10));

    // Deleting the very photo a cursor points at does not break the cursor.
    await server.services.store.photos.update(ids(second).at(-1) as string, {
      deletedAt: new Date().toISOString(),
    });
    const third = await page(`limit=10&after=${second.nextCursor}`);
    expect(ids(third)).toEqual(remaining.slice(10, 20));
    const fourth = await page(`limit=10&after=${third.nextCursor}`);
    expect(ids(fourth)).toEqual(remaining.slice(20));
    expect(fourth.nextCursor).toBeNull();

    // And back: the ten photos just newer than the third page's first, as they are now: the second
    // page without the photo deleted since, and the last photo of the first page.
    const back = await page(`limit=10&before=${third.prevCursor}`);
    expect(ids(back)).toEqual([newestFirst[9], ...remaining.slice(0, 9)]);
    expect(back.nextCursor).not.toBeNull();
  });

  it('walks back to the first page, where the newest photos (added meanwhile) are', async () => {
    const other = await registerUser(server.url);
    const seeded = (await seedPhotos(server.services.store, other.userId, 12)).reverse();
    const list = async (query: string) =>
      (await (
        await fetch(`${server.url}/v1/users/${other.username}/photos?${query}`)
      ).json()) as Page<Photo>;
    const first = await list('limit=5');
    const second = await list(`limit=5&after=${first.nextCursor}`);
    const added = (await seedPhotos(server.services.store, other.userId, 2)).reverse();
    const back = await list(`limit=5&before=${second.prevCursor}`);
    expect(ids(back)).toEqual(seeded.slice(0, 5));
    // The added photos are newer than the first page, so it now has a previous page.
    expect(back.prevCursor).not.toBeNull();
    expect(ids(await list(`limit=5&before=${back.prevCursor}`))).toEqual(added);
  });

  it.each([
    ['a tampered cursor', (cursor: string) => `after=${cursor.slice(0, -2)}xx`, 'invalid_cursor'],
    ['a made-up cursor', () => 'after=AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAA', 'invalid_cursor'],
    [
      'after and before together',
      (cursor: string) => `after=${cursor}&before=${cursor}`,
      'validation_failed',
    ],
    ['a limit out of range', () => 'limit=1000', 'validation_failed'],
  ] as const)(
    'refuses %s with 400 %s, leaving the photos as they were',
    async (_case, query, code) => {
      const all = async () => ids(await page('limit=100'));
      const before = await all();
      const first = await page('limit=2');
      const response = await fetch(
        `${server.url}/v1/users/${owner.username}/photos?${query(first.nextCursor as string)}`,
      );
      await expectProblem(response, 400, code);
      expect(await all()).toEqual(before);
      expect(await server.services.store.photos.countLive(owner.userId)).toBe(before.length);
      // The cursor it was made from still works.
      expect(ids(await page(`limit=2&after=${first.nextCursor}`))).toEqual(before.slice(2, 4));
    },
  );
});
