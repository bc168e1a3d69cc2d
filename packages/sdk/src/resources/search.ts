import type { Visibility } from '../contract/common.ts';
import type { Photo } from '../contract/photos.ts';
import { searchPhotos } from '../contract/search.ts';
import { PageIterator } from '../core/pagination.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** What a search narrows to, and how it pages. Every filter narrows; none widens. */
export interface SearchFilters {
  /** Only this user's photos (a username). */
  owner?: string;
  /** Only photos in this album (an id). */
  album?: string;
  /** Only photos with this whole tag, in any case. */
  tag?: string;
  visibility?: Visibility;
  /** Only photos taken on or after this day, `YYYY-MM-DD` (camera time). */
  takenFrom?: string;
  /** Only photos taken on or before this day, `YYYY-MM-DD` (camera time). */
  takenTo?: string;
  /** Only photos with (`true`) or without (`false`) a location. */
  hasLocation?: boolean;
  /** Photos per page (default 20, at most 100). */
  limit?: number;
  /** Start after this cursor: a page's `nextCursor` of the same search. */
  cursor?: string;
}

/** Search: photos you may see, best match first. */
export class Search {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Photos whose title, description or tags hold every word of `query`
   * (tags also through a typo or as a prefix), best match first. Iterate it
   * for photos, or `.pages()` for pages; search pages forward only, so a
   * page's `prevCursor` is always null.
   *
   * @example
   * for await (const photo of client.search.photos('sunset beach', { owner: 'alice', hasLocation: true }))
   *   console.log(photo.id, photo.title);
   */
  photos(
    query: string,
    filters: SearchFilters = {},
    options?: RequestOptions,
  ): PageIterator<Photo> {
    const { cursor: start, hasLocation, ...rest } = filters;
    return new PageIterator<Photo>(
      async (cursor) => {
        const page = await this.#transport.call(
          searchPhotos,
          {
            query: {
              q: query,
              ...rest,
              ...(hasLocation === undefined ? {} : { hasLocation: hasLocation ? 'true' : 'false' }),
              ...(cursor.after ? { cursor: cursor.after } : {}),
            },
          },
          options,
        );
        return { ...page, prevCursor: null };
      },
      start ? { after: start } : {},
    );
  }
}
