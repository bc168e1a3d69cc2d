// Listing photos by status (`?status=failed`): the owner's failed uploads at
// a glance, paged exactly, read from an index, and never anyone else's photo
// that is not ready.
import type { Page, Photo, PhotoStatus } from '@flickr-kit/sdk/contract';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/adapters/sql/connect.ts';
import { SqlPhotoRepository } from '../src/adapters/sql/repositories/photos.ts';
import type { Keyset, PhotoFilter, PhotoRecord } from '../src/ports/metadata-store.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { photoRecord } from './seed.ts';

interface Account {
  token: string;
  userId: string;
  username: string;
}

const STATUSES: readonly PhotoStatus[] = ['processing', 'ready', 'failed'];

describe('listing photos by status', () => {
  let server: TestServer;
  let owner: Account;
  let viewer: Account;
  let stranger: Account;
  let admin: { token: string };
  let albumId: string;
  /** The owner's photos, oldest first, as they are now. */
  let seeded: PhotoRecord[];

  const get = (path: string, caller?: { token: string }) =>
    fetch(`${server.url}${path}`, {
      headers: caller ? { authorization: `Bearer ${caller.token}` } : {},
    });
  const page = async (path: string, caller?: { token: string }): Promise<Page<Photo>> => {
    const response = await get(path, caller);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page<Photo>;
  };
  const ids = (photos: readonly { id: string }[]) => photos.map((photo) => photo.id);

  /** Every photo of a listing, walking it forward three at a time. */
  const walk = async (path: string, caller?: { token: string }) => {
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const next = await page(`${path}&limit=3${cursor}`, caller);
      seen.push(...ids(next.items));
      if (!next.nextCursor) return seen;
      cursor = `&after=${next.nextCursor}`;
    }
  };

  /** What the owner's photos of a status are, newest first, in the album or not. */
  const expected = (status: PhotoStatus, where: (photo: PhotoRecord) => boolean = () => true) =>
    ids(seeded.filter((photo) => photo.status === status && where(photo)).reverse());

  const setStatus = async (id: string, status: PhotoStatus) => {
    await server.services.store.photos.update(id, { status });
    seeded = seeded.map((photo) => (photo.id === id ? { ...photo, status } : photo));
  };

  beforeAll(async () => {
    server = await startTestServer();
    [owner, viewer, stranger] = await Promise.all([
      registerUser(server.url),
      registerUser(server.url),
      registerUser(server.url),
    ]);
    const share = await fetch(`${server.url}/v1/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: viewer.username }),
    });
    expect(share.status).toBe(201);
    const adminName = `admin${owner.username.slice(1)}`;
    await server.services.accounts.createUser(adminName, 'a long passphrase', { isAdmin: true });
    const login = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: adminName, password: 'a long passphrase' }),
    });
    admin = (await login.json()) as { token: string };
    const album = await fetch(`${server.url}/v1/albums`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mixed' }),
    });
    albumId = ((await album.json()) as { id: string }).id;

    // 30 photos, oldest first: every status, public and private, in the album and not.
    seeded = [];
    for (let i = 0; i < 30; i++) {
      const photo = photoRecord(owner.userId, {
        status: STATUSES[i % 3] as PhotoStatus,
        statusReason: i % 3 === 2 ? `damaged pixels in photo ${i}` : null,
        visibility: i % 4 === 0 ? 'private' : 'public',
        albumId: i % 2 === 0 ? albumId : null,
      });
      await server.services.store.photos.insertUnlessDuplicate(photo);
      seeded.push(photo);
    }
  });
  afterAll(() => server.destroy());

  it('gives the owner exactly their photos of one status, newest first, a page at a time', async () => {
    const base = `/v1/users/${owner.username}/photos?`;
    for (const status of STATUSES)
      expect(await walk(`${base}status=${status}`, owner), status).toEqual(expected(status));
    const failed = await page(`${base}status=failed&limit=100`, owner);
    expect(failed.items.every((photo) => photo.statusReason?.startsWith('damaged pixels'))).toBe(
      true,
    );
    // Without a status: every photo, as before.
    expect(await walk(base, owner)).toEqual(ids([...seeded].reverse()));
  });

  it('pages exactly, both ways, while photos change status between pages', async () => {
    const base = `/v1/users/${owner.username}/photos?status=failed&limit=3`;
    const before = expected('failed');
    const first = await page(base, owner);
    expect(ids(first.items)).toEqual(before.slice(0, 3));
    expect(first.prevCursor).toBeNull();

    // Between pages: an older photo fails, and one not yet listed is retried (processing again).
    const older = seeded.find((photo) => photo.status === 'processing') as PhotoRecord;
    await setStatus(older.id, 'failed');
    await setStatus(before[4] as string, 'processing');
    const now = expected('failed');
    const second = await page(`${base}&after=${first.nextCursor}`, owner);
    expect(ids(second.items)).toEqual(now.slice(3, 6));
    let rest = ids(second.items);
    let cursor = second.nextCursor;
    while (cursor) {
      const next = await page(`${base}&after=${cursor}`, owner);
      rest = [...rest, ...ids(next.items)];
      cursor = next.nextCursor;
    }
    expect(rest).toEqual(now.slice(3));

    // And back from the second page: the first page as it is now, with no earlier page.
    const back = await page(`${base}&before=${second.prevCursor}`, owner);
    expect(ids(back.items)).toEqual(now.slice(0, 3));
    expect(back.prevCursor).toBeNull();
  });

  it('never shows anyone else a photo that is not ready: they list none of them', async () => {
    const base = `/v1/users/${owner.username}/photos?`;
    const visible = (photo: PhotoRecord) => photo.visibility === 'public';
    for (const caller of [stranger, undefined]) {
      expect(await walk(`${base}status=failed`, caller)).toEqual([]);
      expect(await walk(`${base}status=processing`, caller)).toEqual([]);
      expect(await walk(`${base}status=ready`, caller)).toEqual(expected('ready', visible));
    }
    // A granted viewer sees private photos too, but still only ready ones.
    expect(await walk(`${base}status=failed`, viewer)).toEqual([]);
    expect(await walk(`${base}status=ready`, viewer)).toEqual(expected('ready'));
    // An administrator sees what the owner sees, as for a single photo (to retry failed ones).
    expect(await walk(`${base}status=failed`, admin)).toEqual(expected('failed'));
  });

  it("filters an album's photos the same way", async () => {
    const base = `/v1/albums/${albumId}/photos?`;
    const inAlbum = (photo: PhotoRecord) => photo.albumId === albumId;
    expect(await walk(`${base}status=failed`, owner)).toEqual(expected('failed', inAlbum));
    expect(await walk(`${base}status=processing`, owner)).toEqual(expected('processing', inAlbum));
    expect(await walk(`${base}status=failed`, stranger)).toEqual([]);
    expect(await walk(`${base}status=ready`, stranger)).toEqual(
      expected('ready', (photo) => inAlbum(photo) && photo.visibility === 'public'),
    );
  });

  it('refuses a status it does not know with 400 validation_failed', async () => {
    for (const status of ['broken', 'FAILED', ''])
      await expectProblem(
        await get(`/v1/users/${owner.username}/photos?status=${status}`, owner),
        400,
        'validation_failed',
      );
  });

  /** The repository on a connection of its own, and the queries it sends there. */
  function capturingRepository() {
    const { db, dialect } = connectDatabase(server.config.databaseUrl, server.dataDir);
    const queries: CompiledQuery[] = [];
    const capture: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        queries.push(db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    return {
      db,
      dialect,
      queries,
      photos: new SqlPhotoRepository({ db: db.withPlugin(capture), dialect }),
    };
  }

  /**
   * The plan of the repository's own query for a page. PostgreSQL is told to
   * avoid sequential and bitmap scans, which it rightly prefers on a table
   * this small: what is asked is whether an index can serve the page.
   */
  async function planOf(filter: PhotoFilter, keyset: Keyset): Promise<string> {
    const { db, dialect, queries, photos } = capturingRepository();
    try {
      await photos.list(filter, keyset);
      const [query] = queries as [CompiledQuery];
      const explain = (prefix: string) =>
        CompiledQuery.raw(prefix + query.sql, [...query.parameters]);
      const rows =
        dialect === 'sqlite'
          ? (await db.executeQuery(explain('explain query plan '))).rows
          : await db.transaction().execute(async (tx) => {
              await sql`set local enable_seqscan = off`.execute(tx);
              await sql`set local enable_bitmapscan = off`.execute(tx);
              return (await tx.executeQuery(explain('explain '))).rows;
            });
      return rows
        .map((row) => {
          const values = Object.values(row as Record<string, unknown>);
          return String(dialect === 'sqlite' ? (row as { detail: string }).detail : values[0]);
        })
        .join('\n');
    } finally {
      await db.destroy();
    }
  }

  it('answers a viewer who sees only ready photos, asking for another status, without a query', async () => {
    const { db, queries, photos } = capturingRepository();
    try {
      const middle = seeded[15]?.id as string;
      for (const status of ['failed', 'processing'] as const)
        for (const scope of [{ ownerId: owner.userId }, { albumId }])
          for (const publicOnly of [true, false]) {
            const filter = { ...scope, readyOnly: true, publicOnly, status };
            for (const keyset of [
              { limit: 3 },
              { after: middle, limit: 3 },
              { before: middle, limit: 3 },
            ])
              expect(await photos.list(filter, keyset)).toEqual([]);
            expect(await photos.existsBeyond(filter, middle, 'newer')).toBe(false);
            expect(await photos.existsBeyond(filter, middle, 'older')).toBe(false);
          }
      expect(queries).toEqual([]);
      // The one status such a viewer sees is still read.
      const ready = await photos.list(
        { ownerId: owner.userId, readyOnly: true, publicOnly: true, status: 'ready' },
        { limit: 100 },
      );
      expect(ids(ready)).toEqual(expected('ready', (photo) => photo.visibility === 'public'));
      expect(queries).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });

  it('reads a page of one status from an index, in id order, without sorting', async () => {
    const middle = expected('failed')[2] as string;
    const owned = { ownerId: owner.userId, readyOnly: false, publicOnly: false } as const;
    for (const [filter, index] of [
      [{ ...owned, status: 'failed' }, 'photos_owner_status_id'],
      [
        { albumId, readyOnly: false, publicOnly: false, status: 'failed' },
        'photos_album_status_id',
      ],
    ] as const) {
      for (const keyset of [
        { limit: 3 },
        { after: middle, limit: 3 },
        { before: middle, limit: 3 },
      ]) {
        const plan = await planOf(filter, keyset);
        expect(plan, plan).toContain(index);
        expect(plan, plan).not.toMatch(/\bsort\b|temp b-tree/i);
      }
    }
  });
});
