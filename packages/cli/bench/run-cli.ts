// Runs the built flickr-cli (what users install: dist/main.js over the
// built SDK) as a child process with the usage recorder preloaded; returns
// its exit code, wall time and usage. buildCli() builds it first, so the
// figures are never those of a stale build or of type-stripped sources.
import { spawn, spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlickrClient, MemoryUploadStateStore } from '@flickr-kit/sdk';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Builds flickr-cli and the packages it depends on, as the release does. */
export function buildCli(): void {
  const built = spawnSync('npx', ['-y', 'pnpm@10', '--filter', '@flickr-kit/cli...', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error('could not build flickr-cli');
}
const RECORDER = fileURLToPath(new URL('./record-usage.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  seconds: number;
  peakRssMiB: number;
  readBytes: number | null;
  stdout: string;
}

export async function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const usageFile = join(tmpdir(), `flickr-cli-usage-${process.pid}-${Date.now()}.json`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RECORDER, MAIN, ...args], {
    env: { ...process.env, ...env, FLICKR_BENCH_USAGE: usageFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  const usage = JSON.parse(await readFile(usageFile, 'utf8')) as {
    peakRssKiB: number;
    readBytes: number | null;
  };
  await rm(usageFile, { force: true });
  return { code, seconds, peakRssMiB: usage.peakRssKiB / 1024, readBytes: usage.readBytes, stdout };
}

/**
 * Registers a user on the server and returns the environment a CI job
 * would give flickr-cli for it: server, token, and config and cache
 * folders under `work`.
 */
export async function ciEnvironment(
  serverUrl: string,
  username: string,
  work: string,
): Promise<Record<string, string>> {
  const anonymous = new FlickrClient({
    baseUrl: serverUrl,
    uploadStateStore: new MemoryUploadStateStore(),
  });
  const session = await anonymous.auth.register(username, 'a long passphrase');
  await anonymous.close();
  return {
    FLICKR_SERVER: serverUrl,
    FLICKR_TOKEN: session.token,
    FLICKR_CONFIG_DIR: join(work, 'config'),
    FLICKR_CACHE_DIR: join(work, 'cache'),
  };
}
