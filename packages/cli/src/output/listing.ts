import type { PageIterator } from '@flickr-kit/sdk';
import type { CliContext } from '../context.ts';
import { UsageError } from '../exit-codes.ts';

/** The paging options every listing command takes. */
export interface PagingOptions {
  limit?: number | undefined;
  after?: string | undefined;
  before?: string | undefined;
}

/** The page a listing asks the API for; cursors need --limit, and go one way at a time. */
export function pageQuery(options: PagingOptions): PagingOptions {
  if (options.after && options.before)
    throw new UsageError('--after and --before do not go together');
  if ((options.after || options.before) && !options.limit)
    throw new UsageError('--after and --before page through a listing: give --limit too');
  return {
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.after ? { after: options.after } : {}),
    ...(options.before ? { before: options.before } : {}),
  };
}

/**
 * Prints a listing. With --limit: one page, and the options that reach the
 * pages around it (--json: the page itself, cursors included). Without:
 * every item, one NDJSON line each with --json, as they arrive.
 */
export async function printListing<T>(
  context: CliContext,
  list: PageIterator<T>,
  limit: number | undefined,
  describe: (items: T[]) => string,
): Promise<undefined> {
  if (limit) {
    const page = await list.first();
    context.print(
      () =>
        [
          describe(page.items),
          page.nextCursor ? `next page:     --limit ${limit} --after ${page.nextCursor}` : '',
          page.prevCursor ? `previous page: --limit ${limit} --before ${page.prevCursor}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      page,
    );
    return undefined;
  }
  const items: T[] = [];
  for await (const item of list) {
    if (context.json) context.print('', item);
    else items.push(item);
  }
  if (!context.json) context.print(describe(items), null);
  return undefined;
}
