import type { Page } from '../contract/pagination.ts';

export type PageFetcher<T> = (cursor: { after?: string; before?: string }) => Promise<Page<T>>;

/**
 * A list that fetches its pages lazily by cursor. Iterate it for items
 * (`for await (const photo of list)`), or page by page, forward or back
 * (`for await (const page of list.pages())`).
 */
export class PageIterator<T> implements AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #start: { after?: string; before?: string };

  constructor(fetch: PageFetcher<T>, start: { after?: string; before?: string } = {}) {
    this.#fetch = fetch;
    this.#start = start;
  }

  /** The first page only. */
  first(): Promise<Page<T>> {
    return this.#fetch(this.#start);
  }

  /** Pages in order: forward (older) by default, or `backward` (newer) from a `before` cursor. */
  async *pages(direction: 'forward' | 'backward' = 'forward'): AsyncGenerator<Page<T>> {
    let cursor = this.#start;
    for (;;) {
      const page = await this.#fetch(cursor);
      yield page;
      const next = direction === 'forward' ? page.nextCursor : page.prevCursor;
      if (!next || page.items.length === 0) return;
      cursor = direction === 'forward' ? { after: next } : { before: next };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Every item, in one array: for lists known to be small. */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
