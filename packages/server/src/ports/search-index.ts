import type { PhotoRecord } from './metadata-store.ts';

// Search over photo titles, tags and descriptions. The index holds text
// only; the adapter applies the access rule by joining photos and grants at
// query time, so what a search finds follows privacy changes, grants,
// revokes and deletes the moment they commit.

/**
 * One word of a query, and the tags it may stand for: the same word, tags
 * it begins (a prefix) and tags one or two typos away. Words are lowercase
 * letters and digits only, so no query syntax of either database can hide
 * in them.
 */
export interface SearchTerm {
  word: string;
  /** Tags (whole, lowercase) the word matches in the tags field besides itself. */
  tags: string[];
}

/** Who searches, as the access rule sees them (domain/access.ts). */
export interface SearchViewer {
  userId: string | undefined;
  isAdmin: boolean;
}

/** Filters on top of the query; each narrows, none widens what the viewer may see. */
export interface SearchFilter {
  ownerId?: string | undefined;
  albumId?: string | undefined;
  /** A whole tag, case-insensitive. */
  tag?: string | undefined;
  visibility?: 'public' | 'private' | undefined;
  /** Capture date (camera wall clock), `YYYY-MM-DD`, inclusive. */
  takenFrom?: string | undefined;
  takenTo?: string | undefined;
  hasLocation?: boolean | undefined;
}

/**
 * A position in a result list: score descending, then the adapter's key of
 * the photo descending (a stable per-photo key in the index, newest first).
 */
export interface SearchPosition {
  score: number;
  /** Opaque to all but the adapter: letters, digits and `-` only. */
  key: string;
}

export interface SearchHit {
  photo: PhotoRecord;
  /**
   * Per word: 4 if in the title, plus 2 if among the tags, plus 1 if in the
   * description; summed over the words. It depends on the photo and the query
   * only, never on other photos, so a cursor's position stays exact while
   * photos come and go.
   */
  score: number;
  /** The photo's key in the index, for the position after it. */
  key: string;
}

export interface SearchIndex {
  /**
   * Up to `limit` + 1 photos matching every term that the viewer may see,
   * best first, strictly after `after`: the extra one tells whether more follow.
   */
  search(
    terms: readonly SearchTerm[],
    viewer: SearchViewer,
    filter: SearchFilter,
    page: { after?: SearchPosition | undefined; limit: number },
  ): Promise<SearchHit[]>;
  /**
   * Tags of the vocabulary that may be typos or prefixes away from `word`,
   * nearest first, at most `limit`; the caller decides which are close enough.
   */
  tagCandidates(word: string, limit: number): Promise<string[]>;
}
