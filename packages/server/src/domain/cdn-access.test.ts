import { describe, expect, it } from 'vitest';
import { LruCache } from '../adapters/cache/lru-cache.ts';
import type { PhotoRecord, UserRecord } from '../ports/metadata-store.ts';
import { CdnAccess, type CdnFactsStore } from './cdn-access.ts';
import { photoAccessKey } from './photos.ts';
import { grantKey } from './shares.ts';

const TTL = 1000;

/** A store of one photo and one grant whose reads are counted, and can be held back. */
function fakeStore() {
  const photo: Pick<PhotoRecord, 'ownerId' | 'visibility' | 'status' | 'deletedAt'> = {
    ownerId: 'alice',
    visibility: 'public',
    status: 'ready',
    deletedAt: null,
  };
  const grants = new Set(['alice>bob']);
  const reads = { photo: 0, grant: 0 };
  let held: (() => void)[] | undefined;
  const answer = async <T>(read: () => T): Promise<T> => {
    const list = held;
    if (list) await new Promise<void>((resolve) => list.push(resolve));
    return read();
  };
  const store: CdnFactsStore = {
    settings: {
      get: async () => ({ commentsEnabledByDefault: true, locationVisibilityDefault: 'shared' }),
    },
    photos: {
      byId: () => {
        reads.photo++;
        // Read the facts when the call is made, as a database would.
        const facts = { ...photo };
        return answer(() => facts as unknown as PhotoRecord);
      },
    },
    users: {
      byId: async (id) =>
        ({ id, isAdmin: false, profileVisibility: 'public', deletedAt: null }) as UserRecord,
    },
    grants: {
      exists: (sharer, viewer) => {
        reads.grant++;
        const granted = grants.has(`${sharer}>${viewer}`);
        return answer(() => granted);
      },
    },
  };
  return {
    store,
    photo,
    grants,
    reads,
    /** Holds every read until `release` is called. */
    hold: () => {
      held = [];
    },
    release: () => {
      const list = held ?? [];
      held = undefined;
      for (const resolve of list) resolve();
    },
  };
}

function setUp() {
  const clock = { now: 0 };
  const now = () => clock.now;
  const cache = new LruCache(100, now);
  const fake = fakeStore();
  const access = new CdnAccess(fake.store, cache, TTL, now);
  return { clock, cache, access, ...fake };
}

/** Lets the background reads settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CdnAccess', () => {
  it('answers from the cache only what the store filled, until it expires', async () => {
    const { access, clock, reads } = setUp();
    expect(access.allowsCached('p1', '-')).toBeUndefined();
    expect(await access.allows('p1', '-')).toEqual({ allowed: true, visibility: 'public' });
    clock.now = TTL * 0.5;
    expect(access.allowsCached('p1', '-')).toEqual({ allowed: true, visibility: 'public' });
    await settle();
    expect(reads.photo).toBe(1);
    clock.now = TTL;
    expect(access.allowsCached('p1', '-')).toBeUndefined();
  });

  it('reads a fact served late in its lifetime again, so it never expires while served', async () => {
    const { access, clock, reads, photo } = setUp();
    await access.allows('p1', '-');
    clock.now = TTL * 0.85;
    photo.visibility = 'private';
    expect(access.allowsCached('p1', '-')).toEqual({ allowed: true, visibility: 'public' });
    await settle();
    expect(reads.photo).toBe(2);
    clock.now = TTL * 1.5;
    expect(access.allowsCached('p1', '-')).toEqual({ allowed: false, visibility: 'private' });
    // A fact nobody asks for is not read again: it expires.
    clock.now = TTL * 3;
    expect(access.allowsCached('p1', '-')).toBeUndefined();
    expect(reads.photo).toBe(2);
  });

  it('reads a fact again once at a time, however many requests find it late', async () => {
    const { access, clock, reads, hold, release } = setUp();
    await access.allows('p1', '-');
    clock.now = TTL * 0.9;
    hold();
    for (let i = 0; i < 10; i++) access.allowsCached('p1', '-');
    release();
    await settle();
    expect(reads.photo).toBe(2);
  });

  it('does not put back a fact that a revoke cleared while it was being read again', async () => {
    const { access, cache, clock, photo, grants, reads, hold, release } = setUp();
    photo.visibility = 'private';
    expect(await access.allows('p1', 'bob')).toEqual({ allowed: true, visibility: 'private' });
    expect(reads.grant).toBe(1);
    clock.now = TTL * 0.9;
    hold();
    // The read starts while bob still has his grant ...
    expect(access.allowsCached('p1', 'bob')).toEqual({ allowed: true, visibility: 'private' });
    expect(reads.grant).toBe(2);
    // ... then alice revokes it, through the API: the grant goes, its cached fact with it.
    grants.delete('alice>bob');
    await cache.delete(grantKey('alice', 'bob'));
    release();
    await settle();
    expect(access.allowsCached('p1', 'bob')).toBeUndefined();
    expect(await access.allows('p1', 'bob')).toEqual({ allowed: false, visibility: 'private' });
  });

  it('does not replace a newer fact a request cached while it was reading', async () => {
    const { access, cache, clock, photo, hold, release } = setUp();
    await access.allows('p1', '-');
    clock.now = TTL * 0.9;
    hold();
    access.allowsCached('p1', '-');
    photo.deletedAt = '2026-12-01T00:00:00.000Z';
    await cache.delete(photoAccessKey('p1'));
    const route = access.allows('p1', '-');
    release();
    expect(await route).toEqual({ allowed: false, visibility: 'public' });
    await settle();
    expect(access.allowsCached('p1', '-')).toEqual({ allowed: false, visibility: 'public' });
  });

  it('leaves a fact whose read fails to expire, and reads it again next time', async () => {
    const { access, clock, reads, store } = setUp();
    await access.allows('p1', '-');
    const byId = store.photos.byId;
    store.photos.byId = async () => {
      reads.photo++;
      throw new Error('database gone');
    };
    clock.now = TTL * 0.9;
    expect(access.allowsCached('p1', '-')?.allowed).toBe(true);
    await settle();
    clock.now = TTL;
    expect(access.allowsCached('p1', '-')).toBeUndefined();
    store.photos.byId = byId;
    await access.allows('p1', '-');
    clock.now = TTL * 1.9;
    access.allowsCached('p1', '-');
    await settle();
    expect(reads.photo).toBe(4);
  });
});
