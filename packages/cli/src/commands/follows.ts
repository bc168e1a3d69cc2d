import type { FollowEntry } from '@flickr-kit/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { shortDate, table } from '../output/table.ts';
import { examples, positiveInt, type Wrap } from './define.ts';

interface ListOptions {
  limit?: number;
}

/** Prints a follow list, all of it or its first `--limit` entries. */
async function printFollows(
  context: CliContext,
  side: 'followers' | 'following',
  user: string | undefined,
  options: ListOptions,
): Promise<undefined> {
  const client = context.client();
  const username = user ?? (await context.me(client));
  const list = client.follows[side](username, {}, { signal: context.signal });
  const entries: FollowEntry[] = [];
  for await (const entry of list) {
    entries.push(entry);
    if (options.limit && entries.length >= options.limit) break;
  }
  if (context.json) for (const entry of entries) context.print('', entry);
  else
    context.print(
      entries.length
        ? table(
            [side === 'followers' ? 'FOLLOWER' : 'FOLLOWING', 'SINCE'],
            entries.map((e) => [e.user.username, shortDate(e.since)]),
          )
        : side === 'followers'
          ? `nobody follows ${username} (or ${username}'s profile is private)`
          : `${username} follows nobody (or ${username}'s profile is private)`,
      null,
    );
  return undefined;
}

/** follow, unfollow, followers, following. */
export function followCommands(program: Command, wrap: Wrap): void {
  examples(
    program
      .command('follow')
      .description('be told of a user’s new photos (following grants no access to private ones)')
      .argument('<user>', 'their username')
      .action(
        wrap(async (context, user: string) => {
          const entry = await context.client().follows.follow(user, { signal: context.signal });
          context.print(`you follow ${user} (since ${shortDate(entry.since)})`, entry);
          return undefined;
        }),
      ),
    ['flickr-cli follow ada'],
  );

  examples(
    program
      .command('unfollow')
      .description('stop being told of a user’s new photos')
      .argument('<user>', 'their username')
      .action(
        wrap(async (context, user: string) => {
          await context.client().follows.unfollow(user, { signal: context.signal });
          context.print(`you no longer follow ${user}`, { username: user, following: false });
          return undefined;
        }),
      ),
    ['flickr-cli unfollow ada'],
  );

  for (const side of ['followers', 'following'] as const)
    examples(
      program
        .command(side)
        .description(
          side === 'followers'
            ? 'who follows a user (you by default), newest first'
            : 'whom a user (you by default) follows, newest first',
        )
        .argument('[user]', 'their username (default: you)')
        .option('-n, --limit <count>', 'at most this many', positiveInt('--limit'))
        .action(
          wrap(async (context, user: string | undefined, options: ListOptions) =>
            printFollows(context, side, user, options),
          ),
        ),
      [`flickr-cli ${side}`, `flickr-cli ${side} ada --json`],
    );
}
