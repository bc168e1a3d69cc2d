import {
  type FollowEntry,
  followUser,
  listFollowers,
  listFollowing,
  unfollowUser,
} from '../contract/follows.ts';
import { PageIterator } from '../core/pagination.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Where a follow listing starts and how long its pages are. */
export interface FollowListQuery {
  /** Entries per page (default 100, at most 100). */
  limit?: number;
  after?: string;
  before?: string;
}

/** Following users: their new photos become notifications. Following grants no access. */
export class Follows {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Idempotent: following someone you follow already answers with that follow. */
  follow(username: string, options?: RequestOptions) {
    return this.#transport.call(followUser, { params: { username } }, options);
  }

  /** Idempotent: unfollowing someone you do not follow is no error. */
  unfollow(username: string, options?: RequestOptions) {
    return this.#transport.call(unfollowUser, { params: { username } }, options);
  }

  /** A user's followers, newest first. */
  followers(
    username: string,
    query: FollowListQuery = {},
    options?: RequestOptions,
  ): PageIterator<FollowEntry> {
    return this.#list(listFollowers, username, query, options);
  }

  /** Whom a user follows, newest first. */
  following(
    username: string,
    query: FollowListQuery = {},
    options?: RequestOptions,
  ): PageIterator<FollowEntry> {
    return this.#list(listFollowing, username, query, options);
  }

  #list(
    operation: typeof listFollowers | typeof listFollowing,
    username: string,
    query: FollowListQuery,
    options: RequestOptions | undefined,
  ): PageIterator<FollowEntry> {
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          operation,
          { params: { username }, query: { limit: query.limit ?? 100, ...cursor } },
          options,
        ),
      {
        ...(query.after ? { after: query.after } : {}),
        ...(query.before ? { before: query.before } : {}),
      },
    );
  }
}
