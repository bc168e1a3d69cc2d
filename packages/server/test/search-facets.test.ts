// Search filters answered through the index's facets (migration 0014): they
// must find exactly what the filters' own SQL finds, after every change a
// facet comes from (an edit, a move, a privacy or location change, an
// owner's default), on photos indexed before the migration too, and page
// after page.
import type { Album, PhotoSearchPage } from '@flickr-kit/sdk/contract';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/adapters/sql/connect.ts';
import * as searchFacets from '../src/adapters/sql/migrations/0014-search-facets.ts';
import type { PhotoRecord } from '../src/ports/metadata-store.ts';
import { type Caller, callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { photoRecord } from './seed.ts';

type User = Caller & { userId: string; username: string };

let server: TestServer;
let owner: User;
let friend: User;
let stranger: User;

async function photo(overrides: Partial<PhotoRecord>, ownerId = owner.userId): Promise<string> {
  const record = photoRecord(ownerId, overrides);
  await server.services.store.photos.insertUnlessDuplicate(record);
  return record.id;
}

async function search(caller: Caller | undefined, params: Record<string, string>) {
  const { status, body } = await callApi<PhotoSearchPage>(
    server.url,
    caller,
    'GET',
    `/v1/search/photos?${new URLSearchParams(params)}`,
  );
  if (status !== 200) throw new Error(`search answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** The ids a search finds, sorted (the order is search.test.ts's business). */
const found = async (caller: Caller | undefined, params: Record<string, string>) =>
  (await search(caller, params)).items.map((item) => item.id).sort();

const patch = (caller: Caller, path: string, body: unknown) =>
  callApi(server.url, caller, 'PATCH', path, body).then(({ status, body: answer }) => {
    if (status !== 200)
      throw new Error(`PATCH ${path} answered ${status}: ${JSON.stringify(answer)}`);
  });

beforeAll(async () => {
  server = await startTestServer({}, { role: 'serve' });
  [owner, friend, stranger] = [
    await registerUser(server.url),
    await registerUser(server.url),
    await registerUser(server.url),
  ];
  await callApi(server.url, owner, 'POST', '/v1/shares', { username: friend.username });
});
afterAll(() => server?.destroy());

describe('search filters through the facets', () => {
  it('takes a date range across years: whole years, the months at either end, odd capture times', async () => {
    const at = (capturedAt: string) => photo({ title: 'pangolin', capturedAt });
    await at('2020-10-31T23:59:59');
    const firstDay = await at('2020-11-15T00:00:00');
    const wholeYear = await at('2022-06-01T12:00:00');
    const lastDay = await at('2023-02-03T23:59:59+05:00');
    await at('2023-02-04T00:00:00');
    // Not an ISO date, yet its first ten characters fall in the range as text.
    const odd = await at('2021:05:03 10:00:00');
    await photo({ title: 'pangolin' });
    expect(
      await found(owner, { q: 'pangolin', takenFrom: '2020-11-15', takenTo: '2023-02-03' }),
    ).toEqual([firstDay, wholeYear, lastDay, odd].sort());
    expect(
      await found(owner, { q: 'pangolin', takenFrom: '2022-01-01', takenTo: '2022-12-31' }),
    ).toEqual([wholeYear]);
  });

  it('follows a move to another album and a change of visibility', async () => {
    const album = (
      await callApi<Album>(server.url, owner, 'POST', '/v1/albums', { name: 'tapirs' })
    ).body;
    const id = await photo({ title: 'tapir' });
    expect(await found(owner, { q: 'tapir', album: album.id })).toEqual([]);
    await patch(owner, `/v1/photos/${id}`, { albumId: album.id });
    expect(await found(owner, { q: 'tapir', album: album.id })).toEqual([id]);
    expect(await found(owner, { q: 'tapir', visibility: 'private' })).toEqual([]);
    await patch(owner, `/v1/photos/${id}`, { visibility: 'private' });
    expect(await found(owner, { q: 'tapir', visibility: 'private' })).toEqual([id]);
    expect(await found(owner, { q: 'tapir', visibility: 'public' })).toEqual([]);
  });

  it('finds a location only where its viewer may see it, following every change of who may', async () => {
    const id = await photo({ title: 'okapi' });
    const located = (caller: Caller | undefined) =>
      found(caller, { q: 'okapi', hasLocation: 'true' });
    const unlocated = (caller: Caller | undefined) =>
      found(caller, { q: 'okapi', hasLocation: 'false' });

    await patch(owner, `/v1/photos/${id}`, { location: { latitude: 1.5, longitude: 2.5 } });
    // The default: the owner and those they share with.
    expect(await located(owner)).toEqual([id]);
    expect(await located(friend)).toEqual([id]);
    expect(await located(stranger)).toEqual([]);
    expect(await unlocated(stranger)).toEqual([id]);
    expect(await located(undefined)).toEqual([]);

    // The owner's default widens it for every photo that follows it.
    await patch(owner, '/v1/me/settings', { locationVisibilityDefault: 'anyone' });
    expect(await located(stranger)).toEqual([id]);
    expect(await located(undefined)).toEqual([id]);

    // The photo's own setting wins over the default.
    await patch(owner, `/v1/photos/${id}`, { locationVisibility: 'owner' });
    expect(await located(friend)).toEqual([]);
    expect(await located(stranger)).toEqual([]);
    expect(await located(owner)).toEqual([id]);

    // Following the default again, which is narrowed meanwhile.
    await patch(owner, '/v1/me/settings', { locationVisibilityDefault: 'shared' });
    await patch(owner, `/v1/photos/${id}`, { locationVisibility: null });
    expect(await located(friend)).toEqual([id]);
    expect(await located(stranger)).toEqual([]);

    await patch(owner, `/v1/photos/${id}`, { location: null });
    expect(await located(owner)).toEqual([]);
    expect(await unlocated(owner)).toEqual([id]);
  });

  it('pages through filtered results as one long page', async () => {
    for (let i = 0; i < 9; i++)
      await photo({
        title: i % 3 === 0 ? 'quagga' : 'x',
        tags: ['quagga'],
        description: i % 2 === 0 ? 'quagga' : '',
        latitude: i % 4 === 3 ? null : 10,
        longitude: i % 4 === 3 ? null : 20,
      });
    const params = { q: 'quagga', hasLocation: 'true' };
    const long = (await search(owner, { ...params, limit: '100' })).items.map((item) => item.id);
    expect(long).toHaveLength(7);
    const paged: string[] = [];
    let page = await search(owner, { ...params, limit: '2' });
    paged.push(...page.items.map((item) => item.id));
    while (page.nextCursor) {
      page = await search(owner, { ...params, limit: '2', cursor: page.nextCursor });
      paged.push(...page.items.map((item) => item.id));
    }
    expect(paged).toEqual(long);
  });

  it('finds photos indexed before the facets were, once migrated', async () => {
    const { db } = connectDatabase(server.config.databaseUrl, server.dataDir);
    // Untyped, as Kysely's Migrator hands the database to a migration.
    const migrating = db as unknown as Kysely<unknown>;
    try {
      await searchFacets.down(migrating);
      const early = await photo({ title: 'wombat', capturedAt: '2019-04-01T08:00:00' });
      const located = await photo({ title: 'wombat', latitude: 5, longitude: 6 });
      await searchFacets.up(migrating);
      expect(
        await found(owner, { q: 'wombat', takenFrom: '2019-04-01', takenTo: '2019-04-30' }),
      ).toEqual([early]);
      expect(await found(friend, { q: 'wombat', hasLocation: 'true' })).toEqual([located]);
      expect(await found(stranger, { q: 'wombat', hasLocation: 'true' })).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
