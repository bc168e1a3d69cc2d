// The real `flickr-server` binary (src/main.ts) in a process of its own, for
// tests of what only a separate process shows: signals, roles that share a
// database and data folder, the startup banner.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { eventually } from './harness.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface BinaryExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BinaryProcess {
  readonly child: ChildProcess;
  /** Where it listens, from its banner (`API` or `CDN` line); undefined for the worker. */
  readonly url: string | undefined;
  readonly exited: Promise<BinaryExit>;
  /** What it wrote so far: logs (JSON lines) on standard output, the banner on standard error. */
  stdout(): string;
  stderr(): string;
  /** Waits for the exit, failing after `timeoutMs` (and then killing it). */
  waitForExit(timeoutMs?: number): Promise<BinaryExit>;
  /** Sends SIGTERM and waits for the exit, as {@link waitForExit}. */
  terminate(timeoutMs?: number): Promise<BinaryExit>;
}

/**
 * Starts `flickr-server <args>` with only the given environment (and PATH),
 * and waits until its banner says it runs.
 */
export async function startBinary(
  args: string[],
  env: Record<string, string>,
): Promise<BinaryProcess> {
  const child = spawn(process.execPath, ['--conditions=source', MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', FLICKR_PORT: '0', FLICKR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await eventually(
    async () => {
      if (gone) throw new Error(`flickr-server ${args.join(' ')} exited at start:\n${stderr}`);
      return /is running/.test(stderr) ? true : undefined;
    },
    30_000,
    `flickr-server ${args.join(' ')} to start`,
  );
  const url = /^\s+(?:API|CDN)\s+(http:\/\/\S+)/m.exec(stderr)?.[1];
  const waitForExit = async (timeoutMs = 20_000) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`flickr-server ${args.join(' ')} still running after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    child,
    url,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForExit,
    terminate: (timeoutMs = 20_000) => {
      if (!gone) child.kill('SIGTERM');
      return waitForExit(timeoutMs);
    },
  };
}
