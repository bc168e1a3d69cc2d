// docs/cli.md from flickr-cli's own command tree: every command's usage,
// arguments, options and examples, as its --help shows them, plus the
// environment, exit codes and the NDJSON events of --json.
import { PassThrough } from 'node:stream';
import { allCommands, buildProgram, EXIT_CODE_MEANINGS, examplesOf } from '@flickr-kit/cli';
import type { Command } from 'commander';

const fullName = (command: Command): string =>
  command.parent ? `${fullName(command.parent)} ${command.name()}` : command.name();

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function commandSection(command: Command): string {
  const help = command.createHelp();
  const name = fullName(command);
  const parts = [
    `### \`${name}\``,
    '',
    command.description(),
    '',
    '```',
    help.commandUsage(command),
    '```',
  ];
  const args = help.visibleArguments(command);
  if (args.length)
    parts.push(
      '',
      '| argument | meaning |',
      '| --- | --- |',
      ...args.map((a) => `| \`${help.argumentTerm(a)}\` | ${cell(help.argumentDescription(a))} |`),
    );
  const options = help.visibleOptions(command).filter((o) => o.long !== '--help');
  if (options.length)
    parts.push(
      '',
      '| option | meaning |',
      '| --- | --- |',
      ...options.map((o) => `| \`${help.optionTerm(o)}\` | ${cell(help.optionDescription(o))} |`),
    );
  const examples = examplesOf(command);
  if (examples.length) parts.push('', 'Examples:', '', '```sh', ...examples, '```');
  return parts.join('\n');
}

export function cliPage(generated: string): string {
  const sink = new PassThrough();
  const program = buildProgram({ stdout: sink, stderr: sink }, () => async () => {});
  const help = program.createHelp();
  const globals = help
    .visibleOptions(program)
    .filter((o) => o.long !== '--help')
    .map((o) => `| \`${help.optionTerm(o)}\` | ${cell(help.optionDescription(o))} |`);
  const exitCodes = Object.entries(EXIT_CODE_MEANINGS).map(
    ([code, meaning]) => `| ${code} | ${cell(meaning)} |`,
  );
  const commands = allCommands(program).filter((c) => c !== program && c.commands.length === 0);
  return `# flickr-cli

${generated}

\`flickr-cli\` uploads, downloads and syncs photo archives with a flickr-kit
server. It is built on \`@flickr-kit/sdk\` alone. Every file is known by its
SHA-256: a rerun sends nothing the server has, renamed or moved files are
recognized, and interrupted uploads resume from the last byte the server holds.

\`\`\`sh
flickr-cli login --server http://127.0.0.1:8080 --username alice
flickr-cli upload -r ~/Pictures --album Holidays
flickr-cli sync pull ~/flickr-backup
\`\`\`

## Options of every command

| option | meaning |
| --- | --- |
${globals.join('\n')}

## Environment and files

| variable | meaning |
| --- | --- |
| \`FLICKR_SERVER\` | server URL, instead of the profile's |
| \`FLICKR_TOKEN\` | token, instead of the profile's: a CI job needs nothing else (\`flickr-cli tokens create\` makes one) |
| \`FLICKR_PROFILE\` | profile to use, instead of the current one |
| \`FLICKR_CONFIG_DIR\` | where profiles are kept (default: the user's config folder, e.g. \`~/.config/flickr-cli\`); the file is readable by its owner only |
| \`FLICKR_CACHE_DIR\` | where the hash cache and the resumable uploads' state are kept (default: the user's cache folder, e.g. \`~/.cache/flickr-cli\`); deleting it costs only rehashing |
| \`NO_COLOR\` | no colours on a terminal |
| \`CI\` | set by CI systems: plain lines instead of the live view, even on a terminal |

Tokens are never printed, except a new API token's secret, once, by \`tokens create\`.

## Exit codes

| code | meaning |
| --- | --- |
${exitCodes.join('\n')}

## Output

On a terminal, long commands (\`upload\`, \`download\`, \`sync\`) show a live view:
the phase (hashing, checking, uploading, processing, listing, downloading,
moving, deleting), an overall bar with files, bytes, rate and ETA, a line per
file in flight, and a summary. Not on a terminal (CI, pipes), they print one
plain line per event and a progress line every ten seconds. Skipped files are
listed only with \`--verbose\`.

Photos the server could not process (a file whose header reads but whose
pixels do not decode) count as failures of the run that sent them: \`upload
--wait\` reports each as its processing ends; without \`--wait\`, \`upload\`
and \`sync push\` ask the server once, at the end of the batch, which of their
new photos have already failed, and report those (photos still processing then
are not waited for). Either way they are \`file\` events with \`status: failed\`
and \`reason: processing\`, the summary says how many and the exit code is 5
(1 when files failed too). \`flickr-cli photos ls --status failed\` lists them.

With \`--json\`, every command prints NDJSON: one JSON object per line. List
commands print one object per item (a photo, an album, a grant, a token, a
comment, a favorite: \`{"favoritedAt", "photo"}\`), or with \`--limit\` the page
(\`items\`, \`nextCursor\`, \`prevCursor\`); commands that change things print
what they made or changed (a comment, a photo's \`favoriteCount\`); long
commands print events, and \`{"type":"summary", …}\` last:

| \`type\` | fields |
| --- | --- |
| \`phase\` | \`phase\`; \`files\` and \`bytes\` when known |
| \`file\` | \`status\` (\`uploaded\`, \`skipped\`, \`failed\`, \`ready\`, \`downloaded\`, \`moved\`, \`deleted\`), \`path\`, \`photoId\`, \`bytes\`; \`reason\` of a skip (\`exists\`, \`duplicate-in-batch\`, \`present\`) or move, or of a failure (\`processing\`: the file was sent but the server could not process it; the photo is \`failed\`); \`error\` of a failure (for \`processing\`, the photo's \`statusReason\`) |
| \`plan\` | \`--dry-run\`: \`action\` (\`upload\`, \`download\`, \`move\`, \`delete\`, \`skip\`), \`path\`, \`photoId\`, \`bytes\`, \`album\`, \`reason\` |
| \`progress\` | at most once a second: \`phase\`, \`filesDone\`, \`filesTotal\`, \`bytesDone\`, \`bytesTotal\`, \`bytesPerSecond\`, \`etaSeconds\` |
| \`message\` | \`level\` (\`info\`, \`warn\`), \`message\` |
| \`summary\` | \`command\`, \`dryRun\`, \`interrupted\`, \`counts\` by status, \`planned\` by action (\`count\`, \`bytes\`), \`bytesTransferred\`, \`durationMs\`, \`failures\` (\`path\`, \`photoId\`, \`reason\`, \`error\`) |
| \`error\` | a command that failed as a whole: \`exitCode\`, \`message\` (also on stderr) |

## Commands

${commands.map(commandSection).join('\n\n')}
`;
}
