import { Command, CommanderError } from 'commander';
import { accountCommands } from './commands/account.ts';
import { albumCommands } from './commands/albums.ts';
import { authCommands } from './commands/auth.ts';
import { commentCommands } from './commands/comments.ts';
import type { Action, Wrap } from './commands/define.ts';
import { downloadCommand } from './commands/download.ts';
import { favoriteCommands } from './commands/favorites.ts';
import { followCommands } from './commands/follows.ts';
import { limitsCommand } from './commands/limits.ts';
import { locationCommands } from './commands/location.ts';
import { notificationCommands } from './commands/notifications.ts';
import { photoCommands } from './commands/photos.ts';
import { profileCommands } from './commands/profiles.ts';
import { searchCommand } from './commands/search.ts';
import { shareCommands } from './commands/share.ts';
import { syncCommands } from './commands/sync.ts';
import { tokenCommands } from './commands/tokens.ts';
import { uploadCommand } from './commands/upload.ts';
import { visibilityCommand } from './commands/visibility.ts';
import { CliContext, type GlobalOptions, type Io } from './context.ts';
import { describeFailure, ExitCode } from './exit-codes.ts';
import { CLI_VERSION } from './version.ts';

const EPILOG = `
Environment:
  FLICKR_SERVER    server URL, instead of the profile's
  FLICKR_TOKEN     token, instead of the profile's (what a CI job sets)
  FLICKR_PROFILE   profile to use, instead of the current one
  NO_COLOR         no colours on a terminal

Exit codes: 0 success, 1 some items failed, 2 usage, 3 authentication,
4 server unreachable, 130 interrupted.`;

/**
 * The whole command tree. `wrap` runs each action with its context; the
 * docs generator builds the tree with a wrap that never runs.
 */
export function buildProgram(io: Pick<Io, 'stdout' | 'stderr'>, wrap: Wrap): Command {
  const program = new Command('flickr-cli')
    .description(
      'Upload, download and sync photo archives with a flickr-kit server: content-addressed, resumable, scriptable.',
    )
    .version(CLI_VERSION, '-V, --version')
    .option('-s, --server <url>', 'the server, e.g. http://127.0.0.1:8080 (default: the profile’s)')
    .option('-p, --profile <name>', 'the saved profile to use (default: the current one)')
    .option('--json', 'machine output: one JSON object per line (NDJSON)')
    .option('-v, --verbose', 'also list files that were skipped')
    .addHelpText('after', EPILOG)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`flickr-cli: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  authCommands(program, wrap);
  profileCommands(program, wrap);
  uploadCommand(program, wrap);
  downloadCommand(program, wrap);
  syncCommands(program, wrap);
  photoCommands(program, wrap);
  albumCommands(program, wrap);
  commentCommands(program, wrap);
  locationCommands(program, wrap);
  favoriteCommands(program, wrap);
  shareCommands(program, wrap);
  searchCommand(program, wrap);
  followCommands(program, wrap);
  notificationCommands(program, wrap);
  visibilityCommand(program, wrap);
  tokenCommands(program, wrap);
  accountCommands(program, wrap);
  limitsCommand(program, wrap);
  for (const command of allCommands(program))
    command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Every command of the tree, depth first (the program itself first). */
export function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((command) => allCommands(command))];
}

export interface RunOptions {
  /** Aborted by Ctrl-C (main.ts wires the signals); tests abort it themselves. */
  signal?: AbortSignal;
}

/** Runs `flickr-cli` with these arguments (without `node` and the script) and returns its exit code. */
export async function run(
  args: readonly string[],
  io: Io,
  options: RunOptions = {},
): Promise<number> {
  const signal = options.signal ?? new AbortController().signal;
  let exitCode: number = ExitCode.ok;
  let globals: GlobalOptions = {};
  const wrap: Wrap =
    <A extends unknown[]>(action: Action<A>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      globals = command.optsWithGlobals<GlobalOptions>();
      const context = await CliContext.create(io, globals, signal);
      try {
        exitCode = (await action(context, ...(args.slice(0, -1) as A))) ?? ExitCode.ok;
      } finally {
        await context.close();
      }
    };
  const program = buildProgram(io, wrap);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    const { code, message } = describeFailure(error, globals.server ?? io.env.FLICKR_SERVER);
    io.stderr.write(`flickr-cli: ${message}\n`);
    if (globals.json)
      io.stdout.write(`${JSON.stringify({ type: 'error', exitCode: code, message })}\n`);
    return code;
  }
}
