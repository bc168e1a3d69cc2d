import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError, UsageError } from '../exit-codes.ts';
import { ask, readStdin } from '../prompt.ts';
import { examples, type Wrap } from './define.ts';

/** How to get the files the export leaves out: the export is metadata, not photos. */
const PHOTOS_HINT = 'flickr-cli sync pull <dir> --sidecars';

interface ExportOptions {
  out?: string;
}

interface DeleteOptions {
  yes?: boolean;
  passwordStdin?: boolean;
}

/**
 * Writes the export to a file, through a `.partial` file renamed when the
 * last byte is in, so a cut-short export never looks like a complete one.
 */
async function exportToFile(text: AsyncIterable<Uint8Array>, file: string): Promise<number> {
  const partial = `${file}.partial`;
  let bytes = 0;
  try {
    await pipeline(
      text,
      async function* count(chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(partial, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, file);
  return bytes;
}

/**
 * Writes the export to stdout as it arrives (one line of JSON), keeping
 * stdout open; false when the reader went away first (`| head`), which is
 * the reader's choice, not a failure.
 */
async function exportToStdout(context: CliContext, text: AsyncIterable<Uint8Array>) {
  try {
    await pipeline(text, context.io.stdout, { end: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return false;
    throw error;
  }
  context.io.stdout.write('\n');
  return true;
}

async function exportAccount(context: CliContext, options: ExportOptions) {
  const text = await context.client().account.exportStream({ signal: context.signal });
  if (!options.out) {
    if (await exportToStdout(context, text))
      context.io.stderr.write(
        `flickr-cli: the export holds no files; for the photos: ${PHOTOS_HINT}\n`,
      );
    return undefined;
  }
  const bytes = await exportToFile(text, options.out);
  context.print(
    `wrote ${options.out} (${bytes} bytes): profile, settings, albums, photo metadata, comments, favorites, follows, shares\nthe export holds no files; for the photos: ${PHOTOS_HINT}`,
    { file: options.out, bytes, photos: PHOTOS_HINT },
  );
  return undefined;
}

/**
 * Asks a person on a terminal to type the username back, or takes `--yes`
 * from a script; nothing else deletes an account.
 */
async function confirm(context: CliContext, username: string, server: string, yes: boolean) {
  if (yes) return;
  if (!context.io.stdin.isTTY)
    throw new UsageError(
      'account delete cannot be undone: pass --yes (and --password-stdin) to run it without a terminal',
    );
  context.io.stderr.write(
    `This deletes the account ${username} on ${server} for good: its photos, albums, comments, favorites, follows and shares.\n`,
  );
  const typed = await ask(context.io, `type the username (${username}) to go on: `, {
    flag: '--yes',
  });
  if (typed.trim() !== username)
    throw new CliError(`"${typed.trim()}" is not ${username}: nothing was deleted`);
}

async function deleteAccount(context: CliContext, options: DeleteOptions) {
  const client = context.client();
  const server = context.server();
  const me = await client.auth.whoami({ signal: context.signal });
  await confirm(context, me.user.username, server, Boolean(options.yes));
  const password = options.passwordStdin
    ? await readStdin(context.io)
    : await ask(context.io, 'password: ', { secret: true, flag: '--password-stdin' });
  await client.account.delete({ password }, { signal: context.signal });
  // The profile's token died with the account: keep no profile that signs in as nobody.
  const name = context.profileName();
  const profile = context.profile();
  const forget = profile?.server === server && profile.username === me.user.username;
  if (forget) context.profiles.remove(name);
  context.print(
    `deleted the account ${me.user.username} on ${server}; the server purges its files on its schedule${forget ? `; forgot profile ${name}` : ''}`,
    { deleted: true, username: me.user.username, server, forgotProfile: forget ? name : null },
  );
  return undefined;
}

/** account export, account delete. */
export function accountCommands(program: Command, wrap: Wrap): void {
  const account = program
    .command('account')
    .description('your account as a whole: export your data, or delete the account');

  examples(
    account
      .command('export')
      .description(
        `your data as one JSON document (profile, settings, albums, photo metadata, comments, favorites, follows, shares); the photos themselves: ${PHOTOS_HINT}`,
      )
      .option('-o, --out <file>', 'write it to this file (default: stdout)')
      .action(wrap(exportAccount)),
    [
      'flickr-cli account export --out flickr-export.json',
      'flickr-cli account export | jq ".photos | length"',
      'flickr-cli account export -o backup/account.json && flickr-cli sync pull backup/photos --sidecars',
    ],
  );

  examples(
    account
      .command('delete')
      .description(
        'delete your account for good, after the username typed back and the password; then forget the profile',
      )
      .option('-y, --yes', 'do not ask for the username (needed without a terminal)')
      .option(
        '--password-stdin',
        'read the password from stdin (for scripts); asked for on a terminal otherwise',
      )
      .action(wrap(deleteAccount)),
    [
      'flickr-cli account delete',
      'printf \'%s\' "$PASSWORD" | flickr-cli account delete --yes --password-stdin --json',
    ],
  );
}
