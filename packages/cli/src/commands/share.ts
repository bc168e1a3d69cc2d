import type { Command } from 'commander';
import { shortDate, table } from '../output/table.ts';
import { examples, type Wrap } from './define.ts';

export function shareCommands(program: Command, wrap: Wrap): void {
  const share = program
    .command('share')
    .description('let another user see all your photos, private ones too, or stop letting them');

  examples(
    share
      .command('grant')
      .description('let a user see all your photos')
      .argument('<user>', 'their username')
      .action(
        wrap(async (context, user: string) => {
          const grant = await context.client().shares.grant(user, { signal: context.signal });
          context.print(`${user} can now see all your photos`, grant);
          return undefined;
        }),
      ),
    ['flickr-cli share grant bob'],
  );

  examples(
    share
      .command('revoke')
      .description('stop letting a user see your private photos (at once, thumbnails included)')
      .argument('<user>', 'their username')
      .action(
        wrap(async (context, user: string) => {
          await context.client().shares.revoke(user, { signal: context.signal });
          context.print(`${user} can no longer see your private photos`, {
            username: user,
            revoked: true,
          });
          return undefined;
        }),
      ),
    ['flickr-cli share revoke bob'],
  );

  examples(
    share
      .command('ls')
      .description('whom you share with; with --to-me, who shares with you')
      .option('--to-me', 'who has shared their photos with you')
      .action(
        wrap(async (context, options: { toMe?: boolean }) => {
          const client = context.client();
          const grants = options.toMe
            ? await client.shares.listToMe({ signal: context.signal })
            : await client.shares.list({ signal: context.signal });
          if (context.json) for (const grant of grants) context.print('', grant);
          else
            context.print(
              grants.length
                ? table(
                    [options.toMe ? 'SHARED BY' : 'SHARED WITH', 'SINCE'],
                    grants.map((g) => [
                      options.toMe ? g.sharer.username : g.viewer.username,
                      shortDate(g.createdAt),
                    ]),
                  )
                : options.toMe
                  ? 'nobody shares with you yet'
                  : 'you share with nobody',
              null,
            );
          return undefined;
        }),
      ),
    ['flickr-cli share ls', 'flickr-cli share ls --to-me --json'],
  );
}
