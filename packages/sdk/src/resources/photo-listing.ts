import type { PhotoStatus } from '../contract/common.ts';

/** Where a photo listing starts, how long its pages are, and which photos it lists. */
export interface ListQuery {
  /** Photos per page (default 100, at most 100). */
  limit?: number;
  /** Start after this cursor (a page's `nextCursor`). */
  after?: string;
  /** Start before this cursor (a page's `prevCursor`), walking towards newer photos. */
  before?: string;
  /**
   * Only photos with this status: `failed` lists the ones the server could
   * not process, with their `statusReason`. Only the owner sees photos that
   * are not `ready`.
   */
  status?: PhotoStatus;
}

/** The query a listing sends for a page: its limit and filter, and the page's cursor. */
export const pageQuery = (query: ListQuery, cursor: { after?: string; before?: string }) => ({
  limit: query.limit ?? 100,
  ...(query.status ? { status: query.status } : {}),
  ...cursor,
});

/** The cursor a listing starts from. */
export const startCursor = (query: ListQuery) => ({
  ...(query.after ? { after: query.after } : {}),
  ...(query.before ? { before: query.before } : {}),
});
