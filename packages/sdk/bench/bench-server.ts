// Starts flickr-server in a child process on a temporary data folder, so a
// benchmark's client and the server do not share an event loop.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../server/src/main.ts', import.meta.url));

export interface BenchServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startBenchServer(
  env: Record<string, string> = {},
  role = 'all',
): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'flickr-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '--conditions=source',
      MAIN,
      role,
    ],
    {
      env: {
        ...process.env,
        FLICKR_DATA_DIR: dataDir,
        FLICKR_PORT: '0',
        FLICKR_LOG_LEVEL: 'warn',
        FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let banner = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      banner += chunk;
      const match = /API\s+(http:\/\/\S+)/.exec(banner);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`flickr-server exited with ${code}: ${banner}`)));
  });
  return {
    url,
    dataDir,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
