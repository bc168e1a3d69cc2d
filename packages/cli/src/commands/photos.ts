import {
  type FlickrClient,
  type Location,
  LocationVisibility,
  type Photo,
  type PhotoChanges,
  PhotoStatus,
} from '@flickr-kit/sdk';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { formatBytes } from '../output/format.ts';
import { pageQuery, printListing } from '../output/listing.ts';
import { shortDate, table } from '../output/table.ts';
import { findAlbum } from '../transfers/photo-source.ts';
import { examples, list, positiveInt, type Wrap } from './define.ts';
import { deleteEach } from './delete-each.ts';
import { coordinates, LEVELS } from './location.ts';

interface ListOptions {
  user?: string;
  album?: string;
  limit?: number;
  after?: string;
  before?: string;
  status?: PhotoStatus;
}

interface EditOptions {
  title?: string;
  description?: string;
  tags?: string[];
  public?: boolean;
  private?: boolean;
  album?: string | false;
  comments?: boolean;
  location?: Location | false;
  locationVisibility?: LocationVisibility | 'default';
}

export function photoCommands(program: Command, wrap: Wrap): void {
  const photos = program.command('photos').description('list, show, edit and delete photos');

  examples(
    photos
      .command('ls')
      .description('list photos, newest first: yours, another user’s, or an album’s')
      .option('--user <name>', 'whose photos (default: yours)')
      .option('--album <name>', 'only this album (by name or id)')
      .option(
        '--limit <n>',
        'one page of at most n photos (up to 100), with cursors to the next and previous pages; --json prints the page',
        positiveInt('--limit', 100),
      )
      .option('--after <cursor>', 'the page after this cursor (a page’s next cursor)')
      .option('--before <cursor>', 'the page before this cursor (a page’s previous cursor)')
      .addOption(
        new Option(
          '--status <status>',
          'only photos with this status: `failed` lists those the server could not process, with why; others’ photos are only ever ready',
        ).choices(PhotoStatus.options),
      )
      .action(wrap(listPhotos)),
    [
      'flickr-cli photos ls',
      'flickr-cli photos ls --user bob --album Holidays --limit 20',
      'flickr-cli photos ls --status failed',
      'flickr-cli photos ls --json | jq -r .id',
    ],
  );

  examples(
    photos
      .command('show')
      .description('one photo’s metadata, status, renditions and signed URLs')
      .argument('<id>', 'the photo’s id')
      .action(
        wrap(async (context, id: string) => {
          const photo = await context.client().photos.get(id, { signal: context.signal });
          context.print(() => describePhoto(photo), photo);
          return undefined;
        }),
      ),
    [
      'flickr-cli photos show 0193a4c2-…',
      'flickr-cli photos show 0193a4c2-… --json | jq .renditions',
    ],
  );

  examples(
    photos
      .command('edit')
      .description(
        'change a photo’s title, description, tags, visibility, comments, album or location',
      )
      .argument('<id>', 'the photo’s id')
      .option('--title <text>', 'new title')
      .option('--description <text>', 'new description')
      .option('--tags <list>', 'comma-separated tags (replaces the old ones; "" clears them)', list)
      .addOption(new Option('--public', 'anyone may see it').conflicts('private'))
      .addOption(new Option('--private', 'only you and those you share with'))
      .option('--album <name>', 'move it to this album (created when missing)')
      .option('--no-album', 'move it out of its album')
      .option('--comments', 'take new comments')
      .option('--no-comments', 'take no new comments (those there stay readable)')
      .option(
        '--location <lat,lon>',
        'where it was taken, in decimal degrees (replaces what the camera said)',
        coordinates,
      )
      .option('--no-location', 'clear its location')
      .addOption(
        new Option(
          '--location-visibility <level>',
          'who sees its location: owner, shared, anyone, or default (your `location default`)',
        ).choices([...LocationVisibility.options, 'default']),
      )
      .action(wrap(editPhoto)),
    [
      'flickr-cli photos edit 0193a4c2-… --title "Sunset" --tags beach,evening --public',
      'flickr-cli photos edit 0193a4c2-… --no-album',
      'flickr-cli photos edit 0193a4c2-… --no-comments',
      'flickr-cli photos edit 0193a4c2-… --location 48.8584,2.2945 --location-visibility anyone',
      'flickr-cli photos edit 0193a4c2-… --no-location',
    ],
  );

  examples(
    photos
      .command('rm')
      .description('delete photos: unreachable at once, their files purged later')
      .argument('<ids...>', 'photo ids')
      .action(wrap(removePhotos)),
    ['flickr-cli photos rm 0193a4c2-… 0193a4c3-…'],
  );
}

async function listPhotos(context: CliContext, options: ListOptions) {
  const client = context.client();
  const username = options.user ?? (await context.me(client));
  const query = { ...pageQuery(options), ...(options.status ? { status: options.status } : {}) };
  const requestOptions = { signal: context.signal };
  const list = options.album
    ? client.albums.photos(
        (await findAlbum(context, client, username, options.album)).id,
        query,
        requestOptions,
      )
    : client.photos.list(username, query, requestOptions);

  return printListing(context, list, options.limit, (items) =>
    photoTable(context, items, username, options),
  );
}

function photoTable(
  context: CliContext,
  photos: readonly Photo[],
  username: string,
  { album, status }: Pick<ListOptions, 'album' | 'status'>,
) {
  if (photos.length === 0)
    return `${username} has no ${status ? `${status} ` : ''}photos you can see${album ? ` in ${album}` : ''}`;
  // Why a photo failed is the longest cell: last, where the table cuts it to fit.
  const reasons = photos.some((photo) => photo.statusReason);
  return table(
    [
      'ID',
      'TITLE',
      'STATUS',
      'VISIBILITY',
      'ALBUM',
      'SIZE',
      'CREATED',
      ...(reasons ? ['REASON'] : []),
    ],
    photos.map((photo) => [
      photo.id,
      photo.title || photo.originalName,
      photo.status,
      photo.visibility,
      photo.album?.name ?? '-',
      formatBytes(photo.bytes),
      shortDate(photo.createdAt),
      ...(reasons ? [photo.statusReason ?? '-'] : []),
    ]),
    context.io.stdout.columns ?? 160,
  );
}

function describePhoto(photo: Photo): string {
  const lines: [string, string][] = [
    ['id', photo.id],
    ['title', photo.title || '-'],
    ['description', photo.description || '-'],
    ['tags', photo.tags.join(', ') || '-'],
    [
      'file',
      `${photo.originalName} (${formatBytes(photo.bytes)}${photo.width ? `, ${photo.width}×${photo.height}` : ''})`,
    ],
    ['sha256', photo.sha256],
    ['album', photo.album?.name ?? '-'],
    ['visibility', photo.visibility],
    ['comments', photo.commentsEnabled ? 'on' : 'off'],
    ['favorites', `${photo.favoriteCount}${photo.favorited ? ' (yours among them)' : ''}`],
    ['status', `${photo.status}${photo.statusReason ? `: ${photo.statusReason}` : ''}`],
    ['taken', photo.capturedAt ?? '-'],
    ['camera', photo.camera ?? '-'],
    ['location', photo.location ? `${photo.location.latitude}, ${photo.location.longitude}` : '-'],
    ...(photo.locationPrivacy
      ? [
          [
            'location shown to',
            `${LEVELS[photo.locationPrivacy.effective]} (${photo.locationPrivacy.override ?? 'your default'})`,
          ] as [string, string],
        ]
      : []),
    ['created', photo.createdAt],
    ...photo.renditions.map((r): [string, string] => [
      r.name,
      `${r.width}×${r.height} ${r.format}, ${formatBytes(r.bytes)}, by the ${r.renderedBy}`,
    ]),
  ];
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}

async function editPhoto(context: CliContext, id: string, options: EditOptions) {
  const client = context.client();
  const changes: PhotoChanges = {
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.tags !== undefined ? { tags: options.tags } : {}),
    ...(options.public
      ? { visibility: 'public' as const }
      : options.private
        ? { visibility: 'private' as const }
        : {}),
    ...(options.comments !== undefined ? { commentsEnabled: options.comments } : {}),
    ...(options.location !== undefined ? { location: options.location || null } : {}),
    ...(options.locationVisibility !== undefined
      ? {
          locationVisibility:
            options.locationVisibility === 'default' ? null : options.locationVisibility,
        }
      : {}),
  };
  if (options.album === false) changes.albumId = null;
  else if (typeof options.album === 'string')
    changes.albumId = await albumIdFor(context, client, options.album);
  if (Object.keys(changes).length === 0)
    throw new UsageError('nothing to change: give at least one option (see --help)');
  const photo = await client.photos.update(id, changes, { signal: context.signal });
  context.print(() => describePhoto(photo), photo);
  return undefined;
}

async function albumIdFor(
  context: CliContext,
  client: FlickrClient,
  name: string,
): Promise<string> {
  const me = await context.me(client);
  const existing = (await client.albums.list(me, { signal: context.signal })).find(
    (a) => a.name === name || a.id === name,
  );
  return existing?.id ?? (await client.albums.create(name, { signal: context.signal })).id;
}

function removePhotos(context: CliContext, ids: string[]) {
  const client = context.client();
  return deleteEach(
    context,
    ids,
    (id) => client.photos.delete(id, { signal: context.signal }),
    (id) => `deleted ${id}`,
  );
}
