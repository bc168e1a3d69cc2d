import type { Comment } from '@flickr-kit/sdk';
import { Argument, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { pageQuery, printListing } from '../output/listing.ts';
import { shortDate } from '../output/table.ts';
import { readStdin } from '../prompt.ts';
import { examples, positiveInt, type Wrap } from './define.ts';
import { deleteEach } from './delete-each.ts';

interface ListOptions {
  newest?: boolean;
  limit?: number;
  after?: string;
  before?: string;
}

const TEXT_HELP = 'the comment; `-` reads it from stdin (for several lines)';

export function commentCommands(program: Command, wrap: Wrap): void {
  const comments = program
    .command('comments')
    .description('read, write, edit and delete comments on photos');

  examples(
    comments
      .command('ls')
      .description('a photo’s comments, oldest first (the conversation as it happened)')
      .argument('<photo>', 'the photo’s id')
      .option('--newest', 'newest first')
      .option(
        '--limit <n>',
        'one page of at most n comments (up to 100), with cursors to the next and previous pages; --json prints the page',
        positiveInt('--limit', 100),
      )
      .option('--after <cursor>', 'the page after this cursor (a page’s next cursor)')
      .option('--before <cursor>', 'the page before this cursor (a page’s previous cursor)')
      .action(wrap(listComments)),
    [
      'flickr-cli comments ls 0193a4c2-…',
      'flickr-cli comments ls 0193a4c2-… --newest --limit 20',
      'flickr-cli comments ls 0193a4c2-… --json | jq -r .text',
    ],
  );

  examples(
    comments
      .command('add')
      .description('comment on a photo you may see, unless its owner turned comments off')
      .argument('<photo>', 'the photo’s id')
      .argument('<text>', TEXT_HELP)
      .action(
        wrap(async (context, photo: string, text: string) => {
          const comment = await context
            .client()
            .comments.add(photo, await textOf(context, text), { signal: context.signal });
          context.print(`added comment ${comment.id} to photo ${photo}`, comment);
          return undefined;
        }),
      ),
    [
      'flickr-cli comments add 0193a4c2-… "What a light!"',
      "printf 'Lovely light.\\nWhere was this?' | flickr-cli comments add 0193a4c2-… -",
    ],
  );

  examples(
    comments
      .command('edit')
      .description('change the text of your comment (it then shows when it was edited)')
      .argument('<comment>', 'the comment’s id')
      .argument('<text>', TEXT_HELP)
      .action(
        wrap(async (context, id: string, text: string) => {
          const comment = await context
            .client()
            .comments.edit(id, await textOf(context, text), { signal: context.signal });
          context.print(`edited comment ${comment.id}`, comment);
          return undefined;
        }),
      ),
    ['flickr-cli comments edit 0193a4c9-… "What a light! Where was this?"'],
  );

  examples(
    comments
      .command('rm')
      .description('delete comments: yours, or any on your photos')
      .argument('<comments...>', 'comment ids')
      .action(wrap(removeComments)),
    ['flickr-cli comments rm 0193a4c9-…'],
  );

  examples(
    comments
      .command('default')
      .description('whether the photos you upload from now on take comments: shows it, or sets it')
      .addArgument(new Argument('[setting]', 'on or off').choices(['on', 'off']))
      .action(
        wrap(async (context, setting: 'on' | 'off' | undefined) => {
          const client = context.client();
          const settings =
            setting === undefined
              ? await client.settings.get({ signal: context.signal })
              : await client.settings.update(
                  { commentsEnabledByDefault: setting === 'on' },
                  { signal: context.signal },
                );
          const state = settings.commentsEnabledByDefault ? 'on' : 'off';
          context.print(
            `comments on the photos you upload from now on: ${state}${setting === undefined ? '' : ' (photos already uploaded keep their own; `flickr-cli photos edit ID --comments` switches one)'}`,
            settings,
          );
          return undefined;
        }),
      ),
    ['flickr-cli comments default', 'flickr-cli comments default off'],
  );
}

/** The text argument, or all of stdin for `-`. */
async function textOf(context: CliContext, text: string): Promise<string> {
  if (text !== '-') return text;
  if (context.io.stdin.isTTY)
    throw new UsageError('`-` reads the comment from stdin: pipe it in, or give the text itself');
  return readStdin(context.io);
}

async function listComments(context: CliContext, photo: string, options: ListOptions) {
  const list = context
    .client()
    .comments.list(
      photo,
      { order: options.newest ? 'newest' : 'oldest', ...pageQuery(options) },
      { signal: context.signal },
    );
  return printListing(context, list, options.limit, describeComments);
}

/**
 * One comment a few lines: who wrote it and when, then its text indented, as
 * written (line breaks kept; a carriage return shown as the line break it means).
 */
export function describeComments(comments: readonly Comment[]): string {
  if (comments.length === 0) return 'no comments';
  return comments
    .map((comment) => {
      const edited = comment.editedAt ? ` (edited ${shortDate(comment.editedAt)})` : '';
      const text = comment.text
        .split(/\r\n|\r|\n/)
        .map((line) => `    ${line}`)
        .join('\n');
      return `${comment.author.username}  ${shortDate(comment.createdAt)}${edited}  ${comment.id}\n${text}`;
    })
    .join('\n');
}

function removeComments(context: CliContext, ids: string[]) {
  const client = context.client();
  return deleteEach(
    context,
    ids,
    (id) => client.comments.delete(id, { signal: context.signal }),
    (id) => `deleted comment ${id}`,
  );
}
