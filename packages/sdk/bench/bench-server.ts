// Starts flickr-server in a child process, so a benchmark's client and the
// server do not share an event loop, and so a test can SIGKILL the server
// mid-request and start it again on the same data folder and port.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../server/src/main.ts', import.meta.url));

export interface BenchServer {
  /** The API's URL, or undefined for a role without one (`worker`). */
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
  cpuSeconds(): number;
  /** Kills the process with a signal (SIGKILL: no graceful anything) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The same role again, on the same data folder and port, after {@link kill}. */
  restart(): Promise<BenchServer>;
  /** Graceful stop, then the data folder is deleted. */
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  env?: Record<string, string>;
  /** `all` (default), `serve` (API only: no saga worker), `worker` (saga and jobs only), `cdn`. */
  role?: string;
  /** An existing data folder (kept on stop) instead of a new temporary one. */
  dataDir?: string;
  port?: number;
}

export async function startBenchServer(
  env: Record<string, string> = {},
  role = 'all',
): Promise<BenchServer> {
  return startServerProcess({ env, role });
}

export async function startServerProcess(options: BenchServerOptions = {}): Promise<BenchServer> {
  const { env = {}, role = 'all' } = options;
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'flickr-bench-')));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
      '--conditions=source',
      MAIN,
      role,
    ],
    {
      env: {
        ...process.env,
        FLICKR_DATA_DIR: dataDir,
        FLICKR_PORT: String(options.port ?? 0),
        FLICKR_LOG_LEVEL: 'warn',
        FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let banner = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      banner += chunk;
      const api = /API\s+(http:\/\/\S+)/.exec(banner);
      if (api) resolve(api[1] as string);
      else if (/is running/.test(banner) && /data\s/.test(banner)) resolve('');
    });
    child.once('exit', (code) => reject(new Error(`flickr-server exited with ${code}: ${banner}`)));
  });
  const port = url ? Number(new URL(url).port) : 0;
  const server: BenchServer = {
    url,
    port,
    dataDir,
    pid: child.pid as number,
    cpuSeconds: () => {
      const fields =
        readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    restart: () => startServerProcess({ ...options, dataDir, ...(port ? { port } : {}) }),
    stop: async () => {
      await server.kill('SIGTERM');
      if (owned) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
