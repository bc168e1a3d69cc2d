import { describe, expect, it } from 'vitest';
import { LruCache } from '../adapters/cache/lru-cache.ts';
import type { PhotoRecord, UserRecord } from '../ports/metadata-store.ts';
import { CdnAccess, type CdnFactsStore, profileKey } from './cdn-access.ts';

/** Alice's public photo p1; Alice shared with Bob; Alice's profile visibility as the test sets it. */
function setUp() {
  const profile = { alice: 'public' as 'public' | 'private' };
  const store: CdnFactsStore = {
    settings: {
      get: async () => ({ commentsEnabledByDefault: true, locationVisibilityDefault: 'shared' }),
    },
    photos: {
      byId: async () =>
        ({
          ownerId: 'alice',
          visibility: 'public',
          status: 'ready',
          deletedAt: null,
        }) as unknown as PhotoRecord,
    },
    users: {
      byId: async (id) =>
        ({
          id,
          isAdmin: id === 'root',
          profileVisibility: id === 'alice' ? profile.alice : 'public',
        }) as UserRecord,
    },
    grants: { exists: async (sharer, viewer) => sharer === 'alice' && viewer === 'bob' },
  };
  const cache = new LruCache(100);
  return { access: new CdnAccess(store, cache, 1000), cache, profile };
}

describe('CdnAccess and private profiles', () => {
  it('refuses strangers a private profile’s public photo, on the route and the hot path, and answers it as private', async () => {
    const { access, cache, profile } = setUp();
    expect(await access.allows('p1', '-')).toEqual({ allowed: true, visibility: 'public' });

    profile.alice = 'private';
    await cache.delete(profileKey('alice'));
    for (const [viewer, allowed] of [
      ['-', false],
      ['carol', false],
      ['bob', true],
      ['alice', true],
      ['root', true],
    ] as const) {
      expect(await access.allows('p1', viewer), viewer).toEqual({
        allowed,
        visibility: 'private',
      });
      expect(access.allowsCached('p1', viewer), viewer).toEqual({
        allowed,
        visibility: 'private',
      });
    }
  });

  it('does not answer from the hot path before the profile is known', async () => {
    const { access, cache } = setUp();
    await access.allows('p1', '-');
    await cache.delete(profileKey('alice'));
    expect(access.allowsCached('p1', '-')).toBeUndefined();
  });
});
