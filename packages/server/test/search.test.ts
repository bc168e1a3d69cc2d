// Photo search (GET /v1/search/photos) on the suite's database: ranking,
// fuzzy tags, every filter, paging, the access rule, and bad queries.
import type { Album, Photo, PhotoSearchPage } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoRecord } from '../src/ports/metadata-store.ts';
import { type Caller, callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { photoRecord } from './seed.ts';

let server: TestServer;
let alice: Caller & { userId: string; username: string };
let bob: Caller & { userId: string; username: string };
let carol: Caller & { userId: string; username: string };

/** Inserts one of alice's photos (ready and public unless told) straight into the store. */
async function photo(overrides: Partial<PhotoRecord>, ownerId = alice.userId): Promise<string> {
  const record = photoRecord(ownerId, overrides);
  await server.services.store.photos.insertUnlessDuplicate(record);
  return record.id;
}

const query = (params: Record<string, string | number>) =>
  new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();

async function search(
  caller: Caller | undefined,
  params: Record<string, string | number>,
): Promise<PhotoSearchPage> {
  const { status, body } = await callApi<PhotoSearchPage>(
    server.url,
    caller,
    'GET',
    `/v1/search/photos?${query(params)}`,
  );
  if (status !== 200) throw new Error(`search answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

const ids = (page: PhotoSearchPage) => page.items.map((item) => item.id);
const found = async (caller: Caller | undefined, params: Record<string, string | number>) =>
  ids(await search(caller, params));

/** Every page of a search, one after the other, by cursor. */
async function allPages(
  caller: Caller | undefined,
  params: Record<string, string | number>,
): Promise<PhotoSearchPage[]> {
  const pages = [await search(caller, params)];
  for (let page = pages[0]; page?.nextCursor; ) {
    page = await search(caller, { ...params, cursor: page.nextCursor });
    pages.push(page);
  }
  return pages;
}

beforeAll(async () => {
  server = await startTestServer({}, { role: 'serve' });
  [alice, bob, carol] = [
    await registerUser(server.url),
    await registerUser(server.url),
    await registerUser(server.url),
  ];
});
afterAll(() => server?.destroy());

describe('photo search', () => {
  it('ranks a title match above a tag match above a description match', async () => {
    const inDescription = await photo({ description: 'a lighthouse far away on the cliff' });
    const inTitle = await photo({ title: 'Lighthouse at dawn' });
    const inTags = await photo({ tags: ['Lighthouse', 'coast'] });
    expect(await found(undefined, { q: 'lighthouse' })).toEqual([inTitle, inTags, inDescription]);
  });

  it('needs every word, and ranks photos with more of them in better fields first', async () => {
    const both = await photo({ title: 'Red kayak', description: 'on the fjord' });
    const split = await photo({ title: 'Red sails', description: 'a kayak passes' });
    await photo({ title: 'Red roof' });
    expect(await found(undefined, { q: 'kayak RED' })).toEqual([both, split]);
  });

  it('finds a tag through a typo or a prefix, but only among tags', async () => {
    const tagged = await photo({ tags: ['sunset', 'beach'] });
    const titled = await photo({ title: 'sunset over the bay' });
    expect(await found(undefined, { q: 'sunest' })).toEqual([tagged]);
    expect(await found(undefined, { q: 'suns' })).toEqual([tagged]);
    expect(await found(undefined, { q: 'sunset' })).toEqual([titled, tagged]);
    // Two letters are too few for a prefix, and a word of three has no typo to forgive.
    expect(await found(undefined, { q: 'su' })).toEqual([]);
    expect(await found(undefined, { q: 'bech' })).toEqual([tagged]);
  });

  it('finds tags of several words by each of them', async () => {
    const city = await photo({ tags: ['New York', 'skyline'] });
    expect(await found(undefined, { q: 'york' })).toEqual([city]);
    expect(await found(undefined, { q: 'skylin' })).toEqual([city]);
  });

  it('scores a tag the word stands for as the word among tags, on every page', async () => {
    // 'pelikan' is one typo from 'pelican': among tags it counts as the word.
    const sevens = await photo({
      title: 'pelican',
      description: 'a pelican',
      tags: ['pelikan'],
    });
    const six = await photo({ title: 'pelican', tags: ['pelikan'] });
    const five = await photo({ title: 'pelican', description: 'pelican' });
    const four = await photo({ title: 'pelican' });
    const three = await photo({ description: 'pelican', tags: ['pelikan'] });
    const twoByTag = await photo({ tags: ['pelikan'] });
    const twoByWord = await photo({ tags: ['pelican'] });
    const twoByBoth = await photo({ tags: ['pelican', 'pelikan'] });
    const one = await photo({ description: 'pelican' });
    await photo({ title: 'pelikan' }); // a typo counts among tags only
    const expected = [sevens, six, five, four, three, twoByBoth, twoByWord, twoByTag, one];
    expect(await found(undefined, { q: 'pelican' })).toEqual(expected);
    expect((await allPages(undefined, { q: 'pelican', limit: 2 })).flatMap(ids)).toEqual(expected);
  });

  it('finds a tag of several words through a typo, as a phrase', async () => {
    const tagged = await photo({ tags: ['sea lion'] });
    await photo({ tags: ['lion', 'sea'] }); // the words, but not the phrase
    const titled = await photo({ title: 'sealion' });
    expect(await found(undefined, { q: 'sealion' })).toEqual([titled, tagged]);
  });

  it('reads the owners of a page in one query, however many owners it holds', async () => {
    for (const owner of [alice, bob, carol]) await photo({ title: 'cormorant' }, owner.userId);
    const users = server.services.store.users;
    const reads = async (limit: number) => {
      let calls = 0;
      const { byId, byIds } = users;
      users.byId = (id) => {
        calls++;
        return byId.call(users, id);
      };
      users.byIds = (ids) => {
        calls++;
        return byIds.call(users, ids);
      };
      try {
        expect(await found(undefined, { q: 'cormorant', limit })).toHaveLength(limit);
      } finally {
        Object.assign(users, { byId, byIds });
      }
      return calls;
    };
    expect(await reads(3)).toBe(await reads(1));
  });

  it('matches words in any case, accents counting, alike on both databases', async () => {
    const cafe = await photo({ title: 'Café Größe' });
    expect(await found(undefined, { q: 'CAFÉ' })).toEqual([cafe]);
    expect(await found(undefined, { q: 'größe' })).toEqual([cafe]);
    expect(await found(undefined, { q: 'cafe' })).toEqual([]);
  });

  describe('filters', () => {
    let album: Album;
    const marked: Record<string, string> = {};

    beforeAll(async () => {
      album = (await callApi<Album>(server.url, alice, 'POST', '/v1/albums', { name: 'quokkas' }))
        .body;
      marked.inAlbum = await photo({ title: 'quokka one', albumId: album.id });
      marked.tagged = await photo({ title: 'quokka two', tags: ['Wildlife', 'island'] });
      marked.private = await photo({ title: 'quokka three', visibility: 'private' });
      marked.early = await photo({ title: 'quokka four', capturedAt: '2021-03-01T09:00:00' });
      marked.late = await photo({
        title: 'quokka five',
        capturedAt: '2023-07-15T23:30:00+02:00',
      });
      marked.located = await photo({ title: 'quokka six', latitude: -32.0, longitude: 115.5 });
      marked.bobs = await photo({ title: 'quokka seven' }, bob.userId);
    });

    const quokkas = (params: Record<string, string>, caller: Caller | undefined = alice) =>
      found(caller, { q: 'quokka', ...params }).then((list) => [...list].sort());
    const of = (...names: string[]) => names.map((name) => marked[name] as string).sort();

    it('by owner', async () => {
      expect(await quokkas({ owner: bob.username })).toEqual(of('bobs'));
      expect((await quokkas({ owner: alice.username })).length).toBe(6);
    });
    it('by album', async () => {
      expect(await quokkas({ album: album.id })).toEqual(of('inAlbum'));
    });
    it('by whole tag, in any case', async () => {
      expect(await quokkas({ tag: 'wildlife' })).toEqual(of('tagged'));
      expect(await quokkas({ tag: 'wild' })).toEqual([]);
    });
    it('by visibility', async () => {
      expect(await quokkas({ visibility: 'private' })).toEqual(of('private'));
      expect(await quokkas({ visibility: 'private' }, carol)).toEqual([]);
    });
    it('by capture date, both ends included, in the camera’s own time', async () => {
      expect(await quokkas({ takenFrom: '2021-03-01', takenTo: '2023-07-15' })).toEqual(
        of('early', 'late'),
      );
      expect(await quokkas({ takenFrom: '2021-03-02' })).toEqual(of('late'));
      expect(await quokkas({ takenTo: '2021-03-01' })).toEqual(of('early'));
    });
    it('by location, with or without', async () => {
      expect(await quokkas({ hasLocation: 'true' })).toEqual(of('located'));
      expect((await quokkas({ hasLocation: 'false' })).length).toBe(6);
    });
  });

  describe('paging', () => {
    let expected: string[];

    beforeAll(async () => {
      // Scores 1 to 7 (title 4, tags 2, description 1), several photos each.
      for (let i = 0; i < 21; i++) {
        const fields = (i % 7) + 1;
        await photo({
          title: fields & 4 ? 'walrus' : 'x',
          tags: fields & 2 ? ['walrus'] : [],
          description: fields & 1 ? 'walrus' : '',
        });
      }
      expected = await found(undefined, { q: 'walrus', limit: 100 });
    });

    it('pages through every result once, in the order of one long page', async () => {
      expect(expected).toHaveLength(21);
      const pages = await allPages(undefined, { q: 'walrus', limit: 4 });
      expect(pages).toHaveLength(6);
      expect(pages.flatMap(ids)).toEqual(expected);
      expect(pages.at(-1)?.nextCursor).toBeNull();
    });

    it('keeps its place while photos are added and deleted between pages', async () => {
      const first = await search(undefined, { q: 'walrus', limit: 5 });
      // A better match and a worse one, both before the cursor's position, and one after.
      const added = [
        await photo({ title: 'walrus', tags: ['walrus'], description: 'walrus' }),
        await photo({ description: 'walrus' }),
      ];
      const deleted = expected[10] as string;
      await callApi(server.url, alice, 'DELETE', `/v1/photos/${deleted}`);
      const rest: string[] = [];
      for (let page = first; page.nextCursor; ) {
        page = await search(undefined, { q: 'walrus', limit: 5, cursor: page.nextCursor });
        rest.push(...ids(page));
      }
      const seen = [...ids(first), ...rest];
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => !added.includes(id))).toEqual(
        expected.filter((id) => id !== deleted),
      );
    });

    it('goes on to lower scores when the photos of the cursor’s score are gone', async () => {
      const best = [
        await photo({ title: 'gannet', description: 'gannet' }),
        await photo({ title: 'gannet', description: 'gannet' }),
      ];
      // 'gannat' is one typo from 'gannet': a tag it stands for, score 2, newer than the cursor.
      const tagged = await photo({ tags: ['gannat'] });
      const first = await search(undefined, { q: 'gannet', limit: 1 });
      expect(ids(first)).toEqual([best[1]]);
      // Purged, the word is in no photo any more: only its tag is left to find.
      for (const id of best) await server.services.store.photos.purge(id);
      const next = await search(undefined, {
        q: 'gannet',
        limit: 1,
        cursor: first.nextCursor ?? '',
      });
      expect(ids(next)).toEqual([tagged]);
    });

    it('refuses a cursor with another query, or one it did not issue', async () => {
      const first = await search(undefined, { q: 'walrus', limit: 2 });
      const other = await fetch(
        `${server.url}/v1/search/photos?${query({ q: 'walrus kayak', cursor: first.nextCursor as string })}`,
      );
      await expectProblem(other, 400, 'invalid_cursor');
      const forged = await fetch(
        `${server.url}/v1/search/photos?${query({ q: 'walrus', cursor: `9${first.nextCursor}` })}`,
      );
      await expectProblem(forged, 400, 'invalid_cursor');
    });
  });

  describe('access', () => {
    it('never finds another user’s private photo unless granted, and stops once revoked', async () => {
      const secret = await photo({ title: 'zebracorn', visibility: 'private' });
      expect(await found(carol, { q: 'zebracorn' })).toEqual([]);
      expect(await found(undefined, { q: 'zebracorn' })).toEqual([]);
      expect(await found(alice, { q: 'zebracorn' })).toEqual([secret]);

      await callApi(server.url, alice, 'POST', '/v1/shares', { username: carol.username });
      expect(await found(carol, { q: 'zebracorn' })).toEqual([secret]);
      await callApi(server.url, alice, 'DELETE', `/v1/shares/${carol.username}`);
      expect(await found(carol, { q: 'zebracorn' })).toEqual([]);
    });

    it('finds a photo made private only for those who may still see it', async () => {
      const id = await photo({ title: 'okapi' });
      expect(await found(carol, { q: 'okapi' })).toEqual([id]);
      await callApi(server.url, alice, 'PATCH', `/v1/photos/${id}`, { visibility: 'private' });
      expect(await found(carol, { q: 'okapi' })).toEqual([]);
      expect(await found(alice, { q: 'okapi' })).toEqual([id]);
    });

    it('finds nothing of a private profile for strangers, all of it for those it shared with', async () => {
      const id = await photo({ title: 'axolotlish' }, bob.userId);
      expect(await found(carol, { q: 'axolotlish' })).toEqual([id]);
      await callApi(server.url, bob, 'PATCH', '/v1/profile', { visibility: 'private' });
      expect(await found(carol, { q: 'axolotlish' })).toEqual([]);
      expect(await found(undefined, { q: 'axolotlish' })).toEqual([]);
      expect(await found(bob, { q: 'axolotlish' })).toEqual([id]);
      await callApi(server.url, bob, 'POST', '/v1/shares', { username: carol.username });
      expect(await found(carol, { q: 'axolotlish' })).toEqual([id]);
      await callApi(server.url, bob, 'DELETE', `/v1/shares/${carol.username}`);
      await callApi(server.url, bob, 'PATCH', '/v1/profile', { visibility: 'public' });
    });

    it('forgets a deleted photo at once', async () => {
      const id = await photo({ title: 'narwhal' });
      expect(await found(carol, { q: 'narwhal' })).toEqual([id]);
      expect((await callApi(server.url, alice, 'DELETE', `/v1/photos/${id}`)).status).toBe(204);
      expect(await found(carol, { q: 'narwhal' })).toEqual([]);
      expect(await found(alice, { q: 'narwhal' })).toEqual([]);
    });

    it('finds an edit at once, by its new words and tags and no longer by the old ones', async () => {
      const id = await photo({ title: 'axolotl', tags: ['pond'] });
      const { status } = await callApi<Photo>(server.url, alice, 'PATCH', `/v1/photos/${id}`, {
        title: 'salamander',
        tags: ['aquarium'],
      });
      expect(status).toBe(200);
      expect(await found(carol, { q: 'salamander' })).toEqual([id]);
      expect(await found(carol, { q: 'aquarum' })).toEqual([id]);
      expect(await found(carol, { q: 'axolotl' })).toEqual([]);
      expect(await found(carol, { q: 'pond' })).toEqual([]);
    });

    it('ranks by the fields a word is in after an edit moved it', async () => {
      const titled = await photo({ title: 'ibis' });
      const described = await photo({ description: 'ibis' });
      expect(await found(carol, { q: 'ibis' })).toEqual([titled, described]);
      await callApi(server.url, alice, 'PATCH', `/v1/photos/${titled}`, {
        title: 'wader',
        description: 'ibis',
      });
      await callApi(server.url, alice, 'PATCH', `/v1/photos/${described}`, { title: 'ibis' });
      expect(await found(carol, { q: 'ibis' })).toEqual([described, titled]);
      expect(await found(carol, { q: 'wader' })).toEqual([titled]);
    });

    it('finds a photo by the edit that won when several raced, and by no other', async () => {
      const id = await photo({ title: 'egret' });
      const titles = ['kestrel', 'merlin', 'harrier', 'osprey', 'buzzard'];
      const statuses = await Promise.all(
        titles.map(
          async (title) =>
            (await callApi(server.url, alice, 'PATCH', `/v1/photos/${id}`, { title })).status,
        ),
      );
      expect(statuses).toEqual(titles.map(() => 200));
      const { body } = await callApi<Photo>(server.url, alice, 'GET', `/v1/photos/${id}`);
      for (const title of [...titles, 'egret'])
        expect(await found(carol, { q: title }), title).toEqual(title === body.title ? [id] : []);
    });

    it('shows photos still processing, or failed, to their owner only', async () => {
      const processing = await photo({ title: 'pangolin', status: 'processing' });
      const failed = await photo({ title: 'pangolin', status: 'failed' });
      expect(await found(carol, { q: 'pangolin' })).toEqual([]);
      await callApi(server.url, alice, 'POST', '/v1/shares', { username: bob.username });
      expect(await found(bob, { q: 'pangolin' })).toEqual([]);
      expect([...(await found(alice, { q: 'pangolin' }))].sort()).toEqual(
        [processing, failed].sort(),
      );
    });

    it('forgets a purged photo’s words and tags', async () => {
      const id = await photo({ title: 'quetzal', tags: ['quetzalcoatl'] });
      expect(await found(alice, { q: 'quetzalc' })).toEqual([id]);
      await server.services.store.photos.purge(id);
      expect(await found(alice, { q: 'quetzal' })).toEqual([]);
      expect(await found(alice, { q: 'quetzalc' })).toEqual([]);
    });
  });

  describe('bad queries', () => {
    const get = (params: Record<string, string>) =>
      fetch(`${server.url}/v1/search/photos?${query(params)}`);

    it('answers an empty query, or one without a word, with 400', async () => {
      await expectProblem(await get({}), 400, 'validation_failed');
      await expectProblem(await get({ q: '   ' }), 400, 'validation_failed');
      await expectProblem(await get({ q: '"*" -- ()' }), 400, 'bad_request');
      // Text no title could hold never reaches the database (a NUL failed PostgreSQL's query).
      for (const q of ['a\u0000b', 'a\u0085b'])
        await expectProblem(await get({ q }), 400, 'validation_failed');
      await expectProblem(await get({ q: 'fox', tag: 'a\u0000' }), 400, 'validation_failed');
    });

    it('takes the syntax of either database as plain words, never as syntax', async () => {
      const id = await photo({ title: 'near the column' });
      for (const q of [
        '"near',
        'NEAR(column',
        'near AND OR NOT',
        'title:near',
        '{title}: near*',
        "near & !column | 'x':*",
        'near" OR "column',
      ])
        expect(
          (await search(undefined, { q })).items.map((p) => p.id),
          q,
        ).toSatisfy((list: string[]) => list.length === 0 || list.includes(id));
      expect(await found(undefined, { q: '"near" (column)' })).toEqual([id]);
    });

    it('answers filters it cannot read with 400', async () => {
      await expectProblem(await get({ q: 'x', takenFrom: '2024-02-30' }), 400, 'validation_failed');
      await expectProblem(
        await get({ q: 'x', takenFrom: '2024-03-02', takenTo: '2024-03-01' }),
        400,
        'validation_failed',
      );
      await expectProblem(await get({ q: 'x', hasLocation: 'yes' }), 400, 'validation_failed');
      await expectProblem(await get({ q: 'x', album: 'nope' }), 400, 'validation_failed');
      await expectProblem(await get({ q: 'x', limit: '0' }), 400, 'validation_failed');
      await expectProblem(await get({ q: 'a b c d e f g h i' }), 400, 'bad_request');
      await expectProblem(await get({ q: 'x', cursor: 'garbage' }), 400, 'invalid_cursor');
    });

    it('answers an owner who does not exist with 404', async () => {
      await expectProblem(await get({ q: 'x', owner: 'nobody-here' }), 404, 'not_found');
    });
  });
});
