import { describe, expect, it } from 'vitest';
import type { Page } from '../contract/pagination.ts';
import { PageIterator } from './pagination.ts';

/** Ten items, newest (9) first, paged by three with cursors that are the item ids. */
function fakeList() {
  const items = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
  const calls: { after?: string; before?: string }[] = [];
  const fetch = async (cursor: { after?: string; before?: string }): Promise<Page<number>> => {
    calls.push(cursor);
    let window: number[];
    if (cursor.before !== undefined)
      window = items.filter((i) => i > Number(cursor.before)).slice(-3);
    else
      window = items
        .filter((i) => cursor.after === undefined || i < Number(cursor.after))
        .slice(0, 3);
    const first = window[0] as number;
    const last = window.at(-1) as number;
    return {
      items: window,
      nextCursor: items.some((i) => i < last) ? String(last) : null,
      prevCursor: items.some((i) => i > first) ? String(first) : null,
    };
  };
  return { fetch, calls };
}

describe('PageIterator', () => {
  it('iterates every item across pages, fetching lazily', async () => {
    const { fetch, calls } = fakeList();
    const list = new PageIterator(fetch);
    const seen: number[] = [];
    for await (const item of list) {
      seen.push(item);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual([9, 8, 7, 6]);
    expect(calls).toHaveLength(2);
    expect(await new PageIterator(fetch).toArray()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('pages forward, and backward from a cursor', async () => {
    const { fetch } = fakeList();
    const forward = [];
    for await (const page of new PageIterator(fetch).pages()) forward.push(page.items);
    expect(forward).toEqual([[9, 8, 7], [6, 5, 4], [3, 2, 1], [0]]);
    const backward = [];
    for await (const page of new PageIterator(fetch, { before: '2' }).pages('backward'))
      backward.push(page.items);
    expect(backward).toEqual([[5, 4, 3], [8, 7, 6], [9]]);
  });
});
