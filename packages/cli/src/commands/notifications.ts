import type { Notification } from '@flickr-kit/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { shortDate, table } from '../output/table.ts';
import { examples, positiveInt, type Wrap } from './define.ts';

interface ListOptions {
  unread?: boolean;
  follow?: boolean;
  limit?: number;
}

/** One notification as a person reads it. */
export function describeNotification(n: Notification): string {
  const who = n.actor?.username ?? 'someone';
  switch (n.kind) {
    case 'new_photo':
      return `${who} posted a new photo ${n.photoId}`;
    case 'share_granted':
      return `${who} shared their photos with you`;
    case 'comment_added':
      return `${who} commented on your photo ${n.photoId}`;
    case 'photo_favorited':
      return `${who} favorited your photo ${n.photoId}`;
    default:
      return `${who}: ${n.kind}${n.photoId ? ` (photo ${n.photoId})` : ''}`;
  }
}

const line = (n: Notification) =>
  `${shortDate(n.createdAt)}  ${n.readAt ? ' ' : '*'} ${describeNotification(n)}  [${n.id}]`;

async function list(context: CliContext, options: ListOptions): Promise<undefined> {
  const client = context.client();
  const items: Notification[] = [];
  const limit = options.limit ?? (options.follow ? 20 : 50);
  for await (const n of client.notifications.list(
    { unread: options.unread === true, limit: Math.min(limit, 100) },
    { signal: context.signal },
  )) {
    items.push(n);
    if (items.length >= limit) break;
  }
  // Oldest first, so that `--follow` carries on below in the order things happened.
  items.reverse();
  if (context.json) for (const n of items) context.print('', n);
  else if (items.length)
    context.print(
      table(
        ['WHEN', 'WHAT'],
        items.map((n) => [
          shortDate(n.createdAt),
          `${n.readAt ? '' : '* '}${describeNotification(n)}  [${n.id}]`,
        ]),
      ),
      null,
    );
  else if (!options.follow)
    context.print(options.unread ? 'no unread notifications' : 'no notifications', null);
  if (!options.follow) return undefined;

  const newest = items.at(-1)?.id;
  try {
    for await (const n of client.notifications.stream({
      signal: context.signal,
      ...(newest ? { lastEventId: newest } : {}),
    })) {
      if (items.some((seen) => seen.id === n.id)) continue;
      context.print(() => line(n), n);
    }
  } catch (error) {
    if (!context.signal.aborted) throw error;
  }
  // Stopped with Ctrl-C: following ends there, and that is success.
  return undefined;
}

/** notifications, notifications read. */
export function notificationCommands(program: Command, wrap: Wrap): void {
  const notifications = examples(
    program
      .command('notifications')
      .description(
        'what happened to you: new photos of those you follow, shares, comments, favorites (* = unread)',
      )
      .option('--unread', 'only unread ones')
      .option('-f, --follow', 'keep printing them as they arrive, until Ctrl-C')
      .option(
        '-n, --limit <count>',
        'at most this many of the latest (default 50; 20 with --follow)',
        positiveInt('--limit'),
      )
      .action(wrap(async (context, options: ListOptions) => list(context, options))),
    ['flickr-cli notifications --unread', 'flickr-cli notifications --follow --json'],
  );

  examples(
    notifications
      .command('read')
      .description('mark notifications read: one by id, all up to one, or all')
      .argument('[id]', 'the notification to mark read')
      .option('--all', 'all of them')
      .option('--up-to <id>', 'this one and all older ones')
      .action(
        wrap(async (context, id: string | undefined, options: { all?: boolean; upTo?: string }) => {
          const given = [id !== undefined, options.all === true, options.upTo !== undefined];
          if (given.filter(Boolean).length !== 1)
            throw new UsageError('notifications read: give one of an id, --all or --up-to <id>');
          const client = context.client();
          if (id) {
            await client.notifications.markRead(id, { signal: context.signal });
            context.print(`marked ${id} read`, { id, read: true });
            return undefined;
          }
          const marked = await client.notifications.markAllRead(options.upTo, {
            signal: context.signal,
          });
          context.print(`marked ${marked} notification${marked === 1 ? '' : 's'} read`, {
            marked,
          });
          return undefined;
        }),
      ),
    [
      'flickr-cli notifications read --all',
      'flickr-cli notifications read 01a23c8c-8419-7000-a8f7-2fb1b8a39f30',
    ],
  );
}
