import { Id, type Photo, type SearchFilters, Visibility } from '@flickr-kit/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { shortDate, table } from '../output/table.ts';
import { findAlbum } from '../transfers/photo-source.ts';
import { examples, positiveInt, type Wrap } from './define.ts';

/** The SDK's filters, as flags; `--album` also takes an album's name. */
interface SearchOptions extends Omit<SearchFilters, 'limit' | 'cursor'> {
  limit: number;
}

/** A calendar date for commander: refused here, with the option's name, before any request. */
const calendarDate = (name: string) => (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new InvalidArgumentError(`${name} must be a date as YYYY-MM-DD, got ${value}`);
  return value;
};

export function searchCommand(program: Command, wrap: Wrap): void {
  examples(
    program
      .command('search')
      .description(
        'find photos you may see by words in their titles, descriptions and tags (tags forgive typos and prefixes), best match first',
      )
      .argument('<query>', 'the words to find, all of them')
      .option('--owner <user>', 'only this user’s photos')
      .option(
        '--album <album>',
        'only this album: an id, or a name among the owner’s albums (yours without --owner)',
      )
      .option('--tag <tag>', 'only photos with this tag (whole, any case)')
      .addOption(
        new Option('--visibility <visibility>', 'only public or private photos').choices(
          Visibility.options,
        ),
      )
      .option(
        '--taken-from <date>',
        'only photos taken on or after this day (YYYY-MM-DD)',
        calendarDate('--taken-from'),
      )
      .option(
        '--taken-to <date>',
        'only photos taken on or before this day (YYYY-MM-DD)',
        calendarDate('--taken-to'),
      )
      .option('--has-location', 'only photos with a location')
      .option('--limit <n>', 'at most n photos (default 20)', positiveInt('--limit'), 20)
      .action(wrap(searchPhotos)),
    [
      'flickr-cli search "sunset beach"',
      'flickr-cli search lighthouse --owner bob --has-location --taken-from 2024-06-01',
      'flickr-cli search harbour --album Holidays --json | jq -r .id',
    ],
  );
}

async function searchPhotos(context: CliContext, query: string, options: SearchOptions) {
  const client = context.client();
  const album =
    options.album && !Id.safeParse(options.album).success
      ? (
          await findAlbum(
            context,
            client,
            options.owner ?? (await context.me(client)),
            options.album,
          )
        ).id
      : options.album;
  const filters: SearchFilters = {
    ...(options.owner ? { owner: options.owner } : {}),
    ...(album ? { album } : {}),
    ...(options.tag ? { tag: options.tag } : {}),
    ...(options.visibility ? { visibility: options.visibility } : {}),
    ...(options.takenFrom ? { takenFrom: options.takenFrom } : {}),
    ...(options.takenTo ? { takenTo: options.takenTo } : {}),
    ...(options.hasLocation ? { hasLocation: true } : {}),
    limit: Math.min(options.limit, 100),
  };
  const found: Photo[] = [];
  for await (const photo of client.search.photos(query, filters, { signal: context.signal })) {
    // With --json each photo goes out as it arrives; the table waits for all of them.
    if (context.json) context.print('', photo);
    found.push(photo);
    if (found.length >= options.limit) break;
  }
  if (!context.json) context.print(() => resultTable(query, found), null);
  return undefined;
}

function resultTable(query: string, photos: readonly Photo[]): string {
  if (photos.length === 0) return `no photos you can see match ${JSON.stringify(query)}`;
  return table(
    ['ID', 'TITLE', 'TAGS', 'TAKEN', 'CREATED'],
    photos.map((photo) => [
      photo.id,
      photo.title || photo.originalName,
      photo.tags.join(', ') || '-',
      photo.capturedAt?.slice(0, 10) ?? '-',
      shortDate(photo.createdAt),
    ]),
  );
}
