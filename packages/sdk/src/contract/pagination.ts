import { z } from 'zod';

/**
 * Keyset pagination: `after` is the `nextCursor` of the page before, `before`
 * the `prevCursor` of the page after. Cursors are opaque and signed; paging
 * stays exact while items are added and deleted between pages.
 */
const PageWindow = z.object({
  after: z.string().max(200).optional(),
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const oneDirection = (query: { after?: string | undefined; before?: string | undefined }) =>
  !(query.after && query.before);
const ONE_DIRECTION = 'give after or before, not both';

export const PageQuery = PageWindow.refine(oneDirection, ONE_DIRECTION);
export type PageQuery = z.input<typeof PageQuery>;

/**
 * A {@link PageQuery} with a listing's own filters. A cursor is a position
 * in the whole, unfiltered order, so it stays exact whatever the filters.
 */
export const pageQueryWith = <T extends z.ZodRawShape>(filters: T) =>
  PageWindow.extend(filters).refine(oneDirection, ONE_DIRECTION);

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `after` for the next page; null on the last'),
    prevCursor: z
      .string()
      .nullable()
      .describe('Pass as `before` for the previous page; null on the first'),
  });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  prevCursor: string | null;
}
