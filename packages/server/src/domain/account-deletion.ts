import type { Cache } from '../ports/cache.ts';
import type { MetadataStore, Repositories } from '../ports/metadata-store.ts';
import { authCacheKey } from './accounts.ts';
import { profileKey } from './cdn-access.ts';
import { DomainError } from './errors.ts';
import { nowIso } from './ids.ts';
import { verifyPassword } from './passwords.ts';
import type { Principal } from './principal.ts';
import { grantKey } from './shares.ts';

/** What a deletion removed that caches hold facts about. */
interface Erased {
  tokenIds: string[];
  grants: { sharerId: string; viewerId: string }[];
}

/**
 * Deletes an account: everything of it unreachable in one transaction, a
 * statement per table however large the account. What goes and what stays
 * is told in docs/api.md ("Deleting and exporting an account"):
 *
 * - the user row stays as a tombstone with no password, so the username
 *   stays taken and the photos keep an owner until the purge job, on its
 *   usual schedule, removes their files and rows (no second deletion path);
 * - the user's comments on anyone's photos are removed, not anonymised:
 *   erasure means their words go, as Flickr does;
 * - writes that add to an account lock it first and give up once it is
 *   deleted (UserRepository.lockLive), so a comment, an upload's pivot or a
 *   favorite racing the deletion lands before it (and is removed) or not at all.
 */
export class AccountDeletion {
  readonly #store: MetadataStore;
  readonly #cache: Cache;

  constructor(store: MetadataStore, cache: Cache) {
    this.#store = store;
    this.#cache = cache;
  }

  /**
   * Deletes the caller's account once its password is confirmed. Idempotent:
   * a deletion that finds the account deleted already (a twin request that
   * won the race) succeeds without doing anything.
   */
  async delete(principal: Principal, password: string): Promise<void> {
    const user = await this.#store.users.byId(principal.user.id);
    if (!user || user.deletedAt) return;
    if (!(await verifyPassword(password, user.passwordHash))) {
      throw new DomainError('invalid_credentials', 'Wrong password: nothing was deleted');
    }
    const erased = await this.#store.transaction(async (tx) => {
      if (!(await tx.users.lockLive(user.id))) return undefined;
      return erase(tx, user.id, nowIso());
    });
    if (!erased) return;
    // The transaction made every fact below false; these keep caches of this
    // process from answering with them. Other processes' caches lapse on
    // their own: the CDN tier's in a second, a verified token's in ten.
    await Promise.all([
      ...erased.tokenIds.map((id) => this.#cache.delete(authCacheKey(id))),
      // The owner-level fact the CDN tier checks for every photo of the account.
      this.#cache.delete(profileKey(user.id)),
      ...erased.grants.map(({ sharerId, viewerId }) =>
        this.#cache.delete(grantKey(sharerId, viewerId)),
      ),
    ]);
  }
}

/** Everything of a locked, live account, gone or unreachable; the account made a tombstone. */
async function erase(tx: Repositories, userId: string, at: string): Promise<Erased> {
  const tokenIds = await tx.tokens.deleteAllOf(userId);
  // Soft-deleted: unreachable now (API, search, CDN), files purged on the purge schedule.
  await tx.photos.deleteAllOf(userId, at);
  await tx.albums.deleteAllOf(userId);
  // Unfinished uploads expire now: tus answers 410, the expiry job removes their bytes.
  await tx.uploads.abandonAllOf(userId, at);
  const grants = await tx.grants.deleteInvolving(userId);
  await tx.follows.deleteInvolving(userId);
  // Uncounted on each photo as they go, so other people's photos show the right count.
  await tx.favorites.removeAllOf(userId);
  await tx.comments.deleteByAuthor(userId);
  // Theirs, and those they caused others (a comment, a favorite, a share, a new photo).
  await tx.notifications.deleteInvolving(userId);
  await tx.settings.delete(userId);
  await tx.users.markDeleted(userId, at);
  return { tokenIds, grants };
}
