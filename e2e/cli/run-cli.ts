// Runs flickr-cli from its sources in a child process, as a user or a CI job
// would: its own config and cache folders, and the environment given.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlickrClient } from '@flickr-kit/sdk';
import type { RealServer } from '../real-server.ts';

export const CLI_MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON (for `--json` runs). */
  events: Record<string, unknown>[];
}

/** A user of the CLI: a home for its config and cache, and the environment it runs with. */
export interface CliUser {
  home: string;
  env: Record<string, string>;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  spawn(args: string[], options?: RunOptions): RunningCli;
  destroy(): Promise<void>;
}

export interface RunOptions {
  cwd?: string;
  stdin?: string;
  env?: Record<string, string>;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with each line of stdout as it arrives, until the predicate holds. */
  waitForLine(predicate: (line: string) => boolean): Promise<string>;
  done: Promise<CliResult>;
}

export async function cliUser(env: Record<string, string> = {}): Promise<CliUser> {
  const home = await mkdtemp(join(tmpdir(), 'flickr-cli-'));
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    FLICKR_CONFIG_DIR: join(home, 'config'),
    FLICKR_CACHE_DIR: join(home, 'cache'),
    ...env,
  };
  const user: CliUser = {
    home,
    env: base,
    run: (args, options) => user.spawn(args, options).done,
    spawn: (args, options = {}) => spawnCli(args, { ...options, env: { ...base, ...options.env } }),
    destroy: () => rm(home, { recursive: true, force: true }),
  };
  return user;
}

/**
 * A new account on `server`, and a CLI user signed in as it through
 * FLICKR_SERVER and FLICKR_TOKEN, as a CI job is, reaching the server at
 * `url` (a proxy, or the server itself).
 */
export async function signedInCli(
  server: Pick<RealServer, 'client' | 'url'>,
  url = server.url,
): Promise<{ cli: CliUser; sdk: FlickrClient & { username: string } }> {
  const sdk = await server.client();
  const cli = await cliUser({ FLICKR_SERVER: url, FLICKR_TOKEN: sdk.options.token as string });
  return { cli, sdk };
}

function spawnCli(
  args: string[],
  options: RunOptions & { env: Record<string, string> },
): RunningCli {
  const child = spawn(process.execPath, ['--conditions=source', CLI_MAIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines)
      for (const watcher of [...watchers])
        if (watcher.predicate(line)) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(line);
        }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin?.end(options.stdin ?? '');
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, events: parseNdjson(stdout) }),
    );
  });
  return {
    child,
    done,
    waitForLine: (predicate) =>
      new Promise((resolve, reject) => {
        watchers.push({ predicate, resolve });
        void done.then(() => reject(new Error(`flickr-cli exited first:\n${stdout}\n${stderr}`)));
      }),
  };
}

function parseNdjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The final summary event of a `--json` run. */
export function summaryOf(result: CliResult) {
  const summary = result.events.find((event) => event.type === 'summary');
  if (!summary) throw new Error(`no summary in:\n${result.stdout}\n${result.stderr}`);
  return summary as {
    counts: Record<string, number>;
    planned: Record<string, { count: number; bytes: number }>;
    bytesTransferred: number;
    failures: { path?: string; error: string }[];
    interrupted: boolean;
    dryRun: boolean;
  };
}

/** The `file` events of a `--json` run. */
export function filesOf(result: CliResult) {
  return result.events.filter((event) => event.type === 'file') as {
    path?: string;
    photoId?: string;
    status: string;
    reason?: string;
    error?: string;
  }[];
}
