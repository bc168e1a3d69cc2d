import type { Page } from '@flickr-kit/sdk/contract';
import type { Keyset } from '../ports/metadata-store.ts';
import type { CursorCodec } from './cursor.ts';

/** A page as the caller asks for it: cursors as sent, and its length. */
export interface PageRequest {
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/** Where a listing's rows come from, in the list's own order. */
export interface KeysetSource<Row> {
  /** A row's key: what its cursor holds. */
  key(row: Row): string;
  /** Up to `limit` + 1 rows of the window, in the list's order. */
  rows(keyset: Keyset): Promise<Row[]>;
  /** Whether any row lies beyond a key, towards the list's start or its end. */
  beyond(key: string, towards: 'start' | 'end'): Promise<boolean>;
}

/**
 * One page of a keyset listing, with cursors to the pages around it. The
 * window asks for one row more than the page, which tells whether more lie
 * that way; one probe tells whether any lie the other way, so a cursor is
 * given only where there is a page to go to.
 */
export async function keysetPage<Row, Item>(
  cursors: CursorCodec,
  request: PageRequest,
  source: KeysetSource<Row>,
  view: (rows: Row[]) => Promise<Item[]>,
): Promise<Page<Item>> {
  const after = request.after ? cursors.decode(request.after) : undefined;
  const before = request.before ? cursors.decode(request.before) : undefined;
  const rows = await source.rows({ after, before, limit: request.limit });
  const more = rows.length > request.limit;
  // The extra row lies beyond the page: drop it from the far end.
  const items = before ? rows.slice(more ? 1 : 0) : rows.slice(0, request.limit);
  const first = items[0];
  const last = items.at(-1);
  const hasPrevious = before
    ? more
    : first
      ? await source.beyond(source.key(first), 'start')
      : false;
  const hasNext = before ? (last ? await source.beyond(source.key(last), 'end') : false) : more;
  return {
    items: await view(items),
    nextCursor: hasNext && last ? cursors.encode(source.key(last)) : null,
    prevCursor: hasPrevious && first ? cursors.encode(source.key(first)) : null,
  };
}
