import { z } from 'zod';

/**
 * Keyset pagination: `after` is the `nextCursor` of the page before, `before`
 * the `prevCursor` of the page after. Cursors are opaque and signed; paging
 * stays exact while items are added and deleted between pages.
 */
export const PageQuery = z
  .object({
    after: z.string().max(200).optional(),
    before: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((query) => !(query.after && query.before), 'give after or before, not both');
export type PageQuery = z.input<typeof PageQuery>;

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
