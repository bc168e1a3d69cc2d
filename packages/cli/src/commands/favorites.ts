import type { Favorite, FavoriteState } from '@flickr-kit/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { ExitCode, isFatal, oneLine } from '../exit-codes.ts';
import { plural } from '../output/format.ts';
import { type PagingOptions, pageQuery, printListing } from '../output/listing.ts';
import { shortDate, table } from '../output/table.ts';
import { examples, positiveInt, type Wrap } from './define.ts';

type ListOptions = PagingOptions;

export function favoriteCommands(program: Command, wrap: Wrap): void {
  const fav = program
    .command('fav')
    .description('add photos to your favorites, remove and list them');

  examples(
    fav
      .command('add')
      .description('add photos you may see to your favorites (again: no change)')
      .argument('<photos...>', 'photo ids')
      .action(wrap((context, ids: string[]) => changeFavorites(context, ids, 'add'))),
    ['flickr-cli fav add 0193a4c2-…', 'flickr-cli fav add 0193a4c2-… 0193a4c3-… --json'],
  );

  examples(
    fav
      .command('rm')
      .description('remove photos from your favorites (again: no change)')
      .argument('<photos...>', 'photo ids')
      .action(wrap((context, ids: string[]) => changeFavorites(context, ids, 'remove'))),
    ['flickr-cli fav rm 0193a4c2-…'],
  );

  examples(
    fav
      .command('ls')
      .description('your favorites, the most recently added first (photos you may still see)')
      .option(
        '--limit <n>',
        'one page of at most n favorites (up to 100), with cursors to the next and previous pages; --json prints the page',
        positiveInt('--limit', 100),
      )
      .option('--after <cursor>', 'the page after this cursor (a page’s next cursor)')
      .option('--before <cursor>', 'the page before this cursor (a page’s previous cursor)')
      .action(wrap(listFavorites)),
    ['flickr-cli fav ls', 'flickr-cli fav ls --json | jq -r .photo.id'],
  );
}

async function changeFavorites(context: CliContext, ids: string[], change: 'add' | 'remove') {
  const client = context.client();
  let failed = 0;
  for (const id of ids) {
    try {
      const state: FavoriteState =
        change === 'add'
          ? await client.favorites.add(id, { signal: context.signal })
          : await client.favorites.remove(id, { signal: context.signal });
      const count = plural(state.favoriteCount, 'favorite');
      context.print(
        change === 'add'
          ? `${id} is among your favorites (${count} in all)`
          : `${id} is not among your favorites (${count} in all)`,
        state,
      );
    } catch (error) {
      if (isFatal(error)) throw error;
      failed++;
      const message = oneLine(error as Error);
      context.io.stderr.write(`flickr-cli: ${id}: ${message}\n`);
      if (context.json) context.print('', { photoId: id, status: 'failed', error: message });
    }
  }
  return failed ? ExitCode.failed : undefined;
}

async function listFavorites(context: CliContext, options: ListOptions) {
  const list = context.client().favorites.list(pageQuery(options), { signal: context.signal });
  return printListing(context, list, options.limit, (items) => favoriteTable(context, items));
}

function favoriteTable(context: CliContext, favorites: readonly Favorite[]): string {
  if (favorites.length === 0) return 'you have no favorites you can see';
  return table(
    ['PHOTO', 'FAVORITED', 'FAVORITES', 'TITLE'],
    favorites.map(({ photo, favoritedAt }) => [
      photo.id,
      shortDate(favoritedAt),
      String(photo.favoriteCount),
      photo.title || photo.originalName,
    ]),
    context.io.stdout.columns ?? 160,
  );
}
