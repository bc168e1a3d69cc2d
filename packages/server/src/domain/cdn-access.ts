import type { Cache } from '../ports/cache.ts';
import type { MetadataStore } from '../ports/metadata-store.ts';
import { canSee, type Relationship } from './access.ts';
import { photoAccessKey } from './photos.ts';
import { grantKey } from './shares.ts';
import { ANYONE } from './url-signer.ts';

const adminKey = (userId: string) => `access:admin:${userId}`;

/** Whether a URL's viewer may fetch a photo's files, and how public the answer may be cached. */
export interface CdnVerdict {
  allowed: boolean;
  visibility?: 'public' | 'private';
}

interface PhotoFacts {
  ownerId: string;
  visibility: 'public' | 'private';
  status: 'processing' | 'ready' | 'failed';
  deletedAt: string | null;
}

/**
 * The CDN tier's access check, on top of the URL signature: the photo must
 * still exist and the URL's viewer must still be allowed to see it. Facts
 * are cached for `ttlMs` (one second by default), and changes made through
 * the API in the same process clear them at once, so a deleted photo, a
 * photo made private or a revoked share is unreachable within seconds.
 */
export class CdnAccess {
  readonly #store: MetadataStore;
  readonly #cache: Cache;
  readonly #ttlMs: number;

  constructor(store: MetadataStore, cache: Cache, ttlMs = 1000) {
    this.#store = store;
    this.#cache = cache;
    this.#ttlMs = ttlMs;
  }

  async #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = await this.#cache.get<{ value: T }>(key);
    if (hit) return hit.value;
    const value = await load();
    await this.#cache.set(key, { value }, this.#ttlMs);
    return value;
  }

  /** Whether `viewer` (a user id, or `-` for anyone) may fetch files of the photo now. */
  async allows(photoId: string, viewer: string): Promise<CdnVerdict> {
    const facts = await this.#cached(
      photoAccessKey(photoId),
      async (): Promise<PhotoFacts | null> => {
        const photo = await this.#store.photos.byId(photoId);
        return photo
          ? {
              ownerId: photo.ownerId,
              visibility: photo.visibility,
              status: photo.status,
              deletedAt: photo.deletedAt,
            }
          : null;
      },
    );
    if (!facts) return { allowed: false };
    const relation = await this.#relationship(facts.ownerId, viewer);
    return { allowed: canSee(relation, facts), visibility: facts.visibility };
  }

  /**
   * `allows`, answered from what the cache holds right now, synchronously;
   * undefined when it would have to ask the store (or the cache cannot
   * answer synchronously). Same facts, same expiry, same invalidation.
   */
  allowsCached(photoId: string, viewer: string): CdnVerdict | undefined {
    const peek = this.#cache.peek?.bind(this.#cache);
    if (!peek) return undefined;
    const facts = peek<{ value: PhotoFacts | null }>(photoAccessKey(photoId));
    if (!facts) return undefined;
    if (!facts.value) return { allowed: false };
    const { ownerId, visibility } = facts.value;
    let relation: Relationship | undefined;
    if (viewer === ANYONE) relation = 'stranger';
    else if (viewer === ownerId) relation = 'owner';
    else {
      const isAdmin = peek<{ value: boolean }>(adminKey(viewer));
      const granted = peek<{ value: boolean }>(grantKey(ownerId, viewer));
      if (isAdmin?.value) relation = 'admin';
      else if (isAdmin && granted) relation = granted.value ? 'granted' : 'stranger';
    }
    return relation && { allowed: canSee(relation, facts.value), visibility };
  }

  async #relationship(ownerId: string, viewer: string): Promise<Relationship> {
    if (viewer === ANYONE) return 'stranger';
    if (viewer === ownerId) return 'owner';
    const isAdmin = await this.#cached(
      adminKey(viewer),
      async () => (await this.#store.users.byId(viewer))?.isAdmin ?? false,
    );
    if (isAdmin) return 'admin';
    const granted = await this.#cached(grantKey(ownerId, viewer), () =>
      this.#store.grants.exists(ownerId, viewer),
    );
    return granted ? 'granted' : 'stranger';
  }
}
