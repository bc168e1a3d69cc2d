import type { Cache } from '../ports/cache.ts';
import type { MetadataStore, PhotoRecord } from '../ports/metadata-store.ts';
import { canSee, type Relationship, strangerTo } from './access.ts';
import { getsOriginalGps, locationDefaultKey } from './location-privacy.ts';
import { photoAccessKey } from './photos.ts';
import { grantKey } from './shares.ts';
import { ANYONE } from './url-signer.ts';

/** What the access check reads from the metadata store. */
export interface CdnFactsStore {
  photos: Pick<MetadataStore['photos'], 'byId'>;
  users: Pick<MetadataStore['users'], 'byId'>;
  grants: Pick<MetadataStore['grants'], 'exists'>;
  settings: Pick<MetadataStore['settings'], 'get'>;
}

const adminKey = (userId: string) => `access:admin:${userId}`;

/**
 * The key under which the CDN tier caches a user's profile visibility, or
 * null for a deleted account: the owner-level fact every file of the
 * account is checked against. Cleared when it changes.
 */
export const profileKey = (userId: string) => `access:profile:${userId}`;

/** Whether a URL's viewer may fetch a photo's files, and how public the answer may be cached. */
export interface CdnVerdict {
  allowed: boolean;
  visibility?: 'public' | 'private';
}

/** What the tier may answer about an original, beyond whether it may be fetched. */
export interface OriginalVerdict extends CdnVerdict {
  /** Whether the viewer gets the file as uploaded, GPS included; otherwise the copy without. */
  gps: boolean;
  /** The original's SHA-256 (lowercase hex). */
  sha256: string;
}

type PhotoFacts = Pick<
  PhotoRecord,
  | 'ownerId'
  | 'visibility'
  | 'status'
  | 'deletedAt'
  | 'sha256'
  | 'locationVisibility'
  | 'locationEdited'
>;

/** How public a photo's files may be cached: private on a private profile, whatever the photo says. */
const shownAs = (photo: 'public' | 'private', profile: 'public' | 'private') =>
  profile === 'private' ? 'private' : photo;

/** A cached fact, and from when the hot path reads it again while still serving it. */
interface Fact<T> {
  value: T;
  refreshAt: number;
}

/** Share of a fact's lifetime after which the hot path reads it again in the background. */
const REFRESH_AFTER = 0.8;

/**
 * The CDN tier's access check, on top of the URL signature: the photo must
 * still exist and the URL's viewer must still be allowed to see it. Facts
 * are cached for `ttlMs` (one second by default), and changes made through
 * the API in the same process clear them at once, so a deleted photo, a
 * photo made private or a revoked share is unreachable within seconds.
 */
export class CdnAccess {
  readonly #store: CdnFactsStore;
  readonly #cache: Cache;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Keys whose background read is in flight: one at a time per key. */
  readonly #refreshing = new Set<string>();

  /** `now` is the clock the cache expires entries by. */
  constructor(store: CdnFactsStore, cache: Cache, ttlMs = 1000, now: () => number = Date.now) {
    this.#store = store;
    this.#cache = cache;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /**
   * Whether `viewer` (a user id, or `-` for anyone) may fetch files of the
   * photo now. A public photo of a private profile is answered as private,
   * so no shared cache keeps it for strangers.
   */
  async allows(photoId: string, viewer: string): Promise<CdnVerdict> {
    return (await this.#decide(photoId, viewer)).verdict;
  }

  /**
   * `allows`, for the photo's original: and whether the viewer gets its GPS
   * fields (domain/location-privacy.ts), from the photo's setting or its
   * owner's default, a cached fact cleared when the owner changes it.
   */
  async original(photoId: string, viewer: string): Promise<OriginalVerdict | undefined> {
    const { verdict, facts, relation } = await this.#decide(photoId, viewer);
    if (!verdict.allowed || !facts || !relation) return undefined;
    const level =
      facts.locationVisibility ??
      (await this.#cached(
        locationDefaultKey(facts.ownerId),
        async () => (await this.#store.settings.get(facts.ownerId)).locationVisibilityDefault,
      ));
    return { ...verdict, gps: getsOriginalGps(relation, level, facts), sha256: facts.sha256 };
  }

  async #decide(photoId: string, viewer: string) {
    const facts = await this.#cached(photoAccessKey(photoId), () => this.#photoFacts(photoId));
    if (!facts) return { verdict: { allowed: false } };
    const profile = await this.#cached(profileKey(facts.ownerId), () =>
      this.#profile(facts.ownerId),
    );
    // A deleted account has no profile: none of its files is served.
    if (!profile) return { verdict: { allowed: false } };
    const relation = await this.#relationship(facts.ownerId, viewer, profile);
    const verdict = {
      allowed: canSee(relation, facts),
      visibility: shownAs(facts.visibility, profile),
    };
    return { verdict, facts, relation };
  }

  /**
   * `allows`, answered from what the cache holds right now, synchronously;
   * undefined when it would have to ask the store (or the cache cannot
   * answer synchronously). Same facts, same expiry, same invalidation.
   *
   * A fact it answers from in the last fifth of its lifetime is read again
   * in the background, so the facts of photos being served stay cached and
   * their requests stay on the hot path instead of each falling to the
   * route, and the store, once a second.
   */
  allowsCached(photoId: string, viewer: string): CdnVerdict | undefined {
    if (!this.#cache.peek) return undefined;
    const facts = this.#peek(photoAccessKey(photoId), () => this.#photoFacts(photoId));
    if (!facts) return undefined;
    if (!facts.value) return { allowed: false };
    const { ownerId } = facts.value;
    const profile = this.#peek(profileKey(ownerId), () => this.#profile(ownerId));
    if (!profile) return undefined;
    if (!profile.value) return { allowed: false };
    const visibility = profile.value;
    let relation: Relationship | undefined;
    if (viewer === ANYONE) relation = strangerTo(visibility);
    else if (viewer === ownerId) relation = 'owner';
    else {
      const isAdmin = this.#peek(adminKey(viewer), () => this.#isAdmin(viewer));
      const granted = this.#peek(grantKey(ownerId, viewer), () =>
        this.#store.grants.exists(ownerId, viewer),
      );
      if (isAdmin?.value) relation = 'admin';
      else if (isAdmin && granted) relation = granted.value ? 'granted' : strangerTo(visibility);
    }
    return (
      relation && {
        allowed: canSee(relation, facts.value),
        visibility: shownAs(facts.value.visibility, visibility),
      }
    );
  }

  async #relationship(
    ownerId: string,
    viewer: string,
    profile: 'public' | 'private',
  ): Promise<Relationship> {
    if (viewer === ownerId) return 'owner';
    if (viewer !== ANYONE) {
      if (await this.#cached(adminKey(viewer), () => this.#isAdmin(viewer))) return 'admin';
      const granted = await this.#cached(grantKey(ownerId, viewer), () =>
        this.#store.grants.exists(ownerId, viewer),
      );
      if (granted) return 'granted';
    }
    return strangerTo(profile);
  }

  /** A deleted account's photos are refused here, whatever their own facts still say in a cache. */
  async #profile(userId: string): Promise<'public' | 'private' | null> {
    const user = await this.#store.users.byId(userId);
    return user && !user.deletedAt ? user.profileVisibility : null;
  }

  async #photoFacts(photoId: string): Promise<PhotoFacts | null> {
    const photo = await this.#store.photos.byId(photoId);
    if (!photo) return null;
    const { ownerId, visibility, status, deletedAt, sha256, locationVisibility, locationEdited } =
      photo;
    return { ownerId, visibility, status, deletedAt, sha256, locationVisibility, locationEdited };
  }

  async #isAdmin(userId: string): Promise<boolean> {
    return (await this.#store.users.byId(userId))?.isAdmin ?? false;
  }

  #fact<T>(value: T): Fact<T> {
    return { value, refreshAt: this.#now() + this.#ttlMs * REFRESH_AFTER };
  }

  async #cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = await this.#cache.get<Fact<T>>(key);
    if (hit) return hit.value;
    const value = await load();
    await this.#cache.set(key, this.#fact(value), this.#ttlMs);
    return value;
  }

  #peek<T>(key: string, load: () => Promise<T>): Fact<T> | undefined {
    const hit = this.#cache.peek?.<Fact<T>>(key);
    if (hit && this.#now() >= hit.refreshAt && !this.#refreshing.has(key)) {
      this.#refreshing.add(key);
      load()
        .then((value) => {
          // A change made through the API while this read ran has deleted the
          // fact (or a request has cached a newer one): the read may predate
          // the change, so it only replaces the very fact it was started for.
          if (this.#cache.peek?.(key) === hit)
            return this.#cache.set(key, this.#fact(value), this.#ttlMs);
        })
        // A failed read leaves the fact to expire; the route's own read then reports the failure.
        .catch(() => {})
        .finally(() => this.#refreshing.delete(key));
    }
    return hit;
  }
}
