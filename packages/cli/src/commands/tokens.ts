import { SCOPES, type Scope } from '@flickr-kit/sdk';
import type { Command } from 'commander';
import { UsageError } from '../exit-codes.ts';
import { shortDate, table } from '../output/table.ts';
import { examples, list, positiveInt, type Wrap } from './define.ts';

export function tokenCommands(program: Command, wrap: Wrap): void {
  const tokens = program
    .command('tokens')
    .description('API tokens with scopes, for scripts and CI (FLICKR_TOKEN)');

  examples(
    tokens
      .command('ls')
      .description('your tokens (never their secrets): name, kind, scopes, last use')
      .action(
        wrap(async (context) => {
          const items = await context.client().tokens.list({ signal: context.signal });
          if (context.json) for (const token of items) context.print('', token);
          else
            context.print(
              table(
                ['ID', 'NAME', 'KIND', 'SCOPES', 'LAST USED', 'EXPIRES'],
                items.map((t) => [
                  t.id,
                  t.name,
                  t.kind,
                  t.scopes.join(','),
                  shortDate(t.lastUsedAt),
                  shortDate(t.expiresAt),
                ]),
              ),
              null,
            );
          return undefined;
        }),
      ),
    ['flickr-cli tokens ls'],
  );

  examples(
    tokens
      .command('create')
      .description('create an API token; its secret is printed once, here, and never again')
      .argument('<name>', 'what it is for, e.g. "nightly backup"')
      .option('--scopes <list>', `comma-separated, of ${SCOPES.join(', ')}`, list, ['read'])
      .option(
        '--expires-in-days <n>',
        'expire after n days (default: never)',
        positiveInt('--expires-in-days'),
      )
      .action(
        wrap(
          async (context, name: string, options: { scopes: string[]; expiresInDays?: number }) => {
            const unknown = options.scopes.filter(
              (scope) => !(SCOPES as readonly string[]).includes(scope),
            );
            if (unknown.length)
              throw new UsageError(`unknown scope ${unknown.join(', ')}: use ${SCOPES.join(', ')}`);
            const created = await context.client().tokens.create(
              {
                name,
                scopes: options.scopes as Scope[],
                ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}),
              },
              { signal: context.signal },
            );
            context.print(
              `${created.token}\n\ntoken "${created.info.name}" (${created.info.scopes.join(', ')}) created: this is the only time its secret is shown.\nUse it with FLICKR_TOKEN=… or \`flickr-cli login --token …\`.`,
              created,
            );
            return undefined;
          },
        ),
      ),
    [
      'flickr-cli tokens create "nightly backup" --scopes read',
      'flickr-cli tokens create ci-upload --scopes read,write --expires-in-days 90 --json',
    ],
  );

  examples(
    tokens
      .command('revoke')
      .description('revoke a token: it stops working at once')
      .argument('<id>', 'the token’s id, from `flickr-cli tokens ls`')
      .action(
        wrap(async (context, id: string) => {
          await context.client().tokens.revoke(id, { signal: context.signal });
          context.print(`revoked token ${id}`, { id, revoked: true });
          return undefined;
        }),
      ),
    ['flickr-cli tokens revoke 0193a4c2-…'],
  );
}
