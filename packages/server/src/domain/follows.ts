import type { FollowEntry, Page } from '@flickr-kit/sdk/contract';
import type { FollowRecord, MetadataStore } from '../ports/metadata-store.ts';
import { relationship, viewerOf } from './access.ts';
import type { CursorCodec } from './cursor.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso, uuidv7 } from './ids.ts';
import { lockBothAccounts, type Principal } from './principal.ts';

export interface FollowPageRequest {
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
}

type Side = 'followers' | 'following';

const entry = (side: Side, follow: FollowRecord): FollowEntry => ({
  user: side === 'followers' ? follow.follower : follow.followee,
  since: follow.createdAt,
});

/**
 * Who follows whom. Following someone asks to be told of their new photos;
 * it grants nothing: a follower sees what the access rules already let it see.
 */
export class FollowService {
  readonly #store: MetadataStore;
  readonly #cursors: CursorCodec;

  constructor(store: MetadataStore, cursors: CursorCodec) {
    this.#store = store;
    this.#cursors = cursors;
  }

  async #user(username: string) {
    const user = await this.#store.users.byUsername(username);
    if (!user) throw notFound('User');
    return user;
  }

  /** Idempotent: following again answers with the first follow, whatever the race. */
  async follow(principal: Principal, username: string): Promise<FollowEntry> {
    const followee = await this.#user(username);
    if (followee.id === principal.user.id)
      throw new DomainError('bad_request', 'You cannot follow yourself');
    const asked = { id: uuidv7(), createdAt: nowIso() };
    // Both accounts locked live: a follow never outlives the deletion of either.
    const follow = await this.#store.transaction(async (tx) => {
      await lockBothAccounts(tx, principal, followee.id);
      return tx.follows.follow({
        ...asked,
        followerId: principal.user.id,
        followeeId: followee.id,
      });
    });
    // Unfollowed at once by a request that came later: this follow still happened, as asked.
    return entry(
      'following',
      follow ?? {
        ...asked,
        follower: { id: principal.user.id, username: principal.user.username },
        followee: { id: followee.id, username: followee.username },
      },
    );
  }

  /** Idempotent: not following the user is no error; an unknown user is. */
  async unfollow(principal: Principal, username: string): Promise<void> {
    const followee = await this.#user(username);
    await this.#store.follows.unfollow(principal.user.id, followee.id);
  }

  /**
   * A user's followers or followees, newest first. A private profile's
   * lists are empty to strangers, as its photo listing is.
   */
  async list(
    principal: Principal | undefined,
    username: string,
    side: Side,
    page: FollowPageRequest,
  ): Promise<Page<FollowEntry>> {
    const user = await this.#user(username);
    const after = page.after ? this.#cursors.decode(page.after) : undefined;
    const before = page.before ? this.#cursors.decode(page.before) : undefined;
    if ((await relationship(this.#store, viewerOf(principal), user.id)) === 'barred')
      return { items: [], nextCursor: null, prevCursor: null };
    const repo = this.#store.follows;
    const rows = await repo.list(side, user.id, { after, before, limit: page.limit });
    const more = rows.length > page.limit;
    const items = before ? rows.slice(more ? 1 : 0) : rows.slice(0, page.limit);
    const first = items[0];
    const last = items.at(-1);
    const hasNewer = before
      ? more
      : first
        ? await repo.existsBeyond(side, user.id, first.id, 'newer')
        : false;
    const hasOlder = before
      ? last
        ? await repo.existsBeyond(side, user.id, last.id, 'older')
        : false
      : more;
    return {
      items: items.map((follow) => entry(side, follow)),
      nextCursor: hasOlder && last ? this.#cursors.encode(last.id) : null,
      prevCursor: hasNewer && first ? this.#cursors.encode(first.id) : null,
    };
  }
}
