import type { Command } from 'commander';
import { shortDate, table } from '../output/table.ts';
import { findAlbum } from '../transfers/photo-source.ts';
import { examples, type Wrap } from './define.ts';

export function albumCommands(program: Command, wrap: Wrap): void {
  const albums = program.command('albums').description('list, create, rename and delete albums');

  examples(
    albums
      .command('ls')
      .description('list albums by name: yours, or another user’s')
      .option('--user <name>', 'whose albums (default: yours)')
      .action(
        wrap(async (context, options: { user?: string }) => {
          const client = context.client();
          const username = options.user ?? (await context.me(client));
          const items = await client.albums.list(username, { signal: context.signal });
          if (context.json) for (const album of items) context.print('', album);
          else
            context.print(
              items.length
                ? table(
                    ['ID', 'NAME', 'CREATED'],
                    items.map((a) => [a.id, a.name, shortDate(a.createdAt)]),
                  )
                : `${username} has no albums`,
              null,
            );
          return undefined;
        }),
      ),
    ['flickr-cli albums ls', 'flickr-cli albums ls --user bob --json'],
  );

  examples(
    albums
      .command('create')
      .description('create an album')
      .argument('<name>', 'its name, unique among your albums')
      .action(
        wrap(async (context, name: string) => {
          const album = await context.client().albums.create(name, { signal: context.signal });
          context.print(`created album ${album.name} (${album.id})`, album);
          return undefined;
        }),
      ),
    ['flickr-cli albums create "Summer 2024"'],
  );

  examples(
    albums
      .command('rename')
      .description('rename an album')
      .argument('<album>', 'its name or id')
      .argument('<new-name>', 'the new name')
      .action(
        wrap(async (context, album: string, name: string) => {
          const client = context.client();
          const found = await findAlbum(context, client, await context.me(client), album);
          const renamed = await client.albums.rename(found.id, name, { signal: context.signal });
          context.print(`renamed album ${found.name} to ${renamed.name}`, renamed);
          return undefined;
        }),
      ),
    ['flickr-cli albums rename "Summer 2024" "Italy, summer 2024"'],
  );

  examples(
    albums
      .command('rm')
      .description('delete an album; its photos stay, in no album')
      .argument('<album>', 'its name or id')
      .action(
        wrap(async (context, album: string) => {
          const client = context.client();
          const found = await findAlbum(context, client, await context.me(client), album);
          await client.albums.delete(found.id, { signal: context.signal });
          context.print(`deleted album ${found.name}; its photos are in no album now`, {
            id: found.id,
            deleted: true,
          });
          return undefined;
        }),
      ),
    ['flickr-cli albums rm "Old drafts"'],
  );
}
