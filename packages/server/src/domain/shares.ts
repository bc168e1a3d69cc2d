import type { Grant } from '@flickr-kit/sdk/contract';
import type { Cache } from '../ports/cache.ts';
import type { MetadataStore } from '../ports/metadata-store.ts';
import type { Doorbell } from '../support/doorbell.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso } from './ids.ts';
import { notify } from './notifications.ts';
import { lockBothAccounts, type Principal } from './principal.ts';

/** The key under which the CDN tier caches whether a viewer may see a sharer's photos. */
export const grantKey = (sharerId: string, viewerId: string) =>
  `access:grant:${sharerId}:${viewerId}`;

/** A sharer grants a viewer access to all of the sharer's photos, or none. */
export class ShareService {
  readonly #store: MetadataStore;
  readonly #cache: Cache;
  readonly #wakeup: Doorbell;

  constructor(store: MetadataStore, cache: Cache, wakeup: Doorbell) {
    this.#store = store;
    this.#cache = cache;
    this.#wakeup = wakeup;
  }

  async #viewer(username: string) {
    const viewer = await this.#store.users.byUsername(username);
    if (!viewer) throw notFound('User');
    return viewer;
  }

  async grant(principal: Principal, username: string): Promise<Grant> {
    const viewer = await this.#viewer(username);
    if (viewer.id === principal.user.id)
      throw new DomainError('bad_request', 'You can always see your own photos');
    // The viewer is told in the grant's own transaction: both exist, or neither.
    // The notification's subject is the stored grant (its sharer and time), so
    // granting again tells nobody twice, and granting after a revoke tells again.
    const grant = await this.#store.transaction(async (tx) => {
      // Both accounts locked live: a grant never outlives the deletion of either.
      await lockBothAccounts(tx, principal, viewer.id);
      await tx.grants.grant(principal.user.id, viewer.id, nowIso());
      const stored = (await tx.grants.bySharer(principal.user.id)).find(
        (g) => g.viewer.id === viewer.id,
      );
      if (!stored) throw new Error('grant vanished after insert');
      await notify(tx, {
        recipientId: viewer.id,
        kind: 'share_granted',
        actorId: principal.user.id,
        photoId: null,
        subject: `${principal.user.id}@${stored.createdAt}`,
      });
      return stored;
    });
    await this.#cache.delete(grantKey(principal.user.id, viewer.id));
    this.#wakeup.ring();
    return grant;
  }

  /** Takes effect at once in this process, and in CDN processes within their cache lifetime (seconds). */
  async revoke(principal: Principal, username: string): Promise<void> {
    const viewer = await this.#viewer(username);
    if (!(await this.#store.grants.revoke(principal.user.id, viewer.id))) throw notFound('Share');
    await this.#cache.delete(grantKey(principal.user.id, viewer.id));
  }

  grantedBy(principal: Principal): Promise<Grant[]> {
    return this.#store.grants.bySharer(principal.user.id);
  }

  grantedTo(principal: Principal): Promise<Grant[]> {
    return this.#store.grants.byViewer(principal.user.id);
  }
}
