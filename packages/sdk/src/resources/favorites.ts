import {
  type Favorite,
  favoritePhoto,
  listFavorites,
  unfavoritePhoto,
} from '../contract/favorites.ts';
import { PageIterator } from '../core/pagination.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Where a listing of favorites starts, and how long its pages are. */
export interface FavoriteListQuery {
  /** Favorites per page (default 100, at most 100). */
  limit?: number;
  /** Start after this cursor (a page's `nextCursor`). */
  after?: string;
  /** Start before this cursor (a page's `prevCursor`), walking towards the newest. */
  before?: string;
}

/**
 * Your favorites. Adding and removing are idempotent: each answers where
 * the photo stands (`favorited`, `favoriteCount`) however often it is sent.
 */
export class Favorites {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  add(photoId: string, options?: RequestOptions) {
    return this.#transport.call(favoritePhoto, { params: { id: photoId } }, options);
  }

  remove(photoId: string, options?: RequestOptions) {
    return this.#transport.call(unfavoritePhoto, { params: { id: photoId } }, options);
  }

  /**
   * Your favorites, the most recently added first, fetched page by page as
   * you iterate; photos you may no longer see are left out.
   */
  list(query: FavoriteListQuery = {}, options?: RequestOptions): PageIterator<Favorite> {
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          listFavorites,
          { query: { limit: query.limit ?? 100, ...cursor } },
          options,
        ),
      {
        ...(query.after ? { after: query.after } : {}),
        ...(query.before ? { before: query.before } : {}),
      },
    );
  }
}
