import type { Profile, ProfileVisibility } from '@flickr-kit/sdk/contract';
import type { Cache } from '../ports/cache.ts';
import type { MetadataStore } from '../ports/metadata-store.ts';
import { profileKey } from './cdn-access.ts';
import { notFound } from './errors.ts';
import type { Principal } from './principal.ts';

/** The caller's profile settings: today, whether strangers see its photos (domain/access.ts). */
export class ProfileService {
  readonly #store: MetadataStore;
  readonly #cache: Cache;

  constructor(store: MetadataStore, cache: Cache) {
    this.#store = store;
    this.#cache = cache;
  }

  async get(principal: Principal): Promise<Profile> {
    // Read afresh: the principal's user record may be older than the last change.
    const user = await this.#store.users.byId(principal.user.id);
    if (!user) throw notFound('User');
    return { id: user.id, username: user.username, visibility: user.profileVisibility };
  }

  /** Takes effect at once in this process, and in CDN processes within their cache lifetime (seconds). */
  async setVisibility(principal: Principal, visibility: ProfileVisibility): Promise<Profile> {
    await this.#store.users.setProfileVisibility(principal.user.id, visibility);
    await this.#cache.delete(profileKey(principal.user.id));
    return this.get(principal);
  }
}
