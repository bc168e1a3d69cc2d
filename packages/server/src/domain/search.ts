import type { PhotoSearchPage, PhotoSearchQuery } from '@flickr-kit/sdk/contract';
import type { MetadataStore } from '../ports/metadata-store.ts';
import type { SearchFilter, SearchTerm } from '../ports/search-index.ts';
import { viewerOf } from './access.ts';
import { notFound } from './errors.ts';
import type { PhotoService } from './photos.ts';
import type { Principal } from './principal.ts';
import type { SearchCursorCodec } from './search-cursor.ts';
import { searchWords } from './search-words.ts';
import { tagMatches } from './tag-distance.ts';

/** Vocabulary tags fetched per word to choose from, and how many of them a word may stand for. */
const TAG_CANDIDATES = 40;
const MAX_TAGS_PER_WORD = 20;

/** A search request once the contract has parsed it (defaults applied). */
export type PhotoSearchRequest = Omit<PhotoSearchQuery, 'limit'> & { limit: number };

/**
 * Photo search under the access rules: the index finds, ranks and filters
 * by access in one query; this turns a request into words, tags they may
 * stand for and filters, and the hits into a page with a cursor.
 */
export class SearchService {
  readonly #store: MetadataStore;
  readonly #photos: PhotoService;
  readonly #cursors: SearchCursorCodec;

  constructor(store: MetadataStore, photos: PhotoService, cursors: SearchCursorCodec) {
    this.#store = store;
    this.#photos = photos;
    this.#cursors = cursors;
  }

  async photos(
    principal: Principal | undefined,
    request: PhotoSearchRequest,
  ): Promise<PhotoSearchPage> {
    const words = searchWords(request.q);
    const filter = await this.#filter(request);
    // The cursor belongs to this search: its words and filters, not their spelling.
    const search = JSON.stringify([words, filter]);
    const after = request.cursor ? this.#cursors.decode(search, request.cursor) : undefined;
    const terms = await Promise.all(words.map((word) => this.#term(word)));
    const hits = await this.#store.search.search(terms, viewerOf(principal), filter, {
      after,
      limit: request.limit,
    });
    const page = hits.slice(0, request.limit);
    const last = page.at(-1);
    return {
      items: await this.#photos.views(
        page.map((hit) => hit.photo),
        viewerOf(principal),
      ),
      nextCursor:
        hits.length > request.limit && last
          ? this.#cursors.encode(search, { score: last.score, key: last.key })
          : null,
    };
  }

  async #filter(request: PhotoSearchRequest): Promise<SearchFilter> {
    let ownerId: string | undefined;
    if (request.owner) {
      const owner = await this.#store.users.byUsername(request.owner);
      if (!owner) throw notFound('User');
      ownerId = owner.id;
    }
    return {
      ownerId,
      albumId: request.album,
      tag: request.tag,
      visibility: request.visibility,
      takenFrom: request.takenFrom,
      takenTo: request.takenTo,
      hasLocation: request.hasLocation === undefined ? undefined : request.hasLocation === 'true',
    };
  }

  /** A word and the tags of the vocabulary it may stand for (prefixes and typos). */
  async #term(word: string): Promise<SearchTerm> {
    const candidates = await this.#store.search.tagCandidates(word, TAG_CANDIDATES);
    const tags = candidates
      // A tag of punctuation alone has no word to match: a database would see an empty phrase.
      .filter((tag) => /[\p{L}\p{N}]/u.test(tag) && tagMatches(word, tag))
      .slice(0, MAX_TAGS_PER_WORD);
    return { word, tags };
  }
}
