// A server (one role of the binary, or the hashing sink it is compared with)
// in a child process of its own, so that its peak RSS is its own and it does
// not share an event loop with the benchmark's client. It reports its URL
// and answers requests over IPC (server-process-main.ts is the other side).
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SagaAttemptRecord } from '../src/ports/metadata-store.ts';
import type { Role } from '../src/roles.ts';

/** What runs in the process: a role of the server, or the hashing sink (hashing-sink.ts). */
export type ProcessKind = Role | 'sink';

/** A request from the benchmark to the process. */
export type Command =
  | { command: 'resetPeakRss' }
  | { command: 'usage' }
  | { command: 'cpuMs' }
  | { command: 'seedPhotos'; ownerId: string; sha256: string[] }
  | { command: 'startWorker'; concurrency: number }
  | { command: 'sagaAttempts'; photoIds: string[] };

/** What the process has used: CPU time so far, and its resident set now and at its peak. */
export interface ProcessUsage {
  /** User and system CPU time since the process started, in milliseconds. */
  cpuMs: number;
  currentRssKiB: number;
  /** The peak since the last reset, or since the process started. */
  peakRssKiB: number;
  /** False where the peak cannot be reset (not Linux): then it is the peak since the process started. */
  resettable: boolean;
}

/** What the process sends back: its URL once, then one reply per command. */
export type Message =
  | { type: 'ready'; url: string }
  | { type: 'reply'; id: number; result?: unknown; error?: string };

export interface ServerProcess {
  url: string;
  /** The process's data folder (the sink writes into it too, so both use the same disk). */
  dataDir: string;
  /**
   * Starts a new peak-RSS window (Linux: /proc/self/clear_refs resets VmHWM),
   * so start-up's own peak does not hide what comes after.
   */
  resetPeakRss(): Promise<void>;
  /** The process's CPU time so far and its resident set, now and at its peak since the last reset. */
  usage(): Promise<ProcessUsage>;
  /** Only the CPU time so far (user and system, milliseconds): cheaper, for timing single requests. */
  cpuMs(): Promise<number>;
  /** Inserts ready photo rows with these hashes for a user, through the server's MetadataStore. */
  seedPhotos(ownerId: string, sha256: string[]): Promise<void>;
  /** Starts one saga worker on the server's own services (role `serve` has none). */
  startWorker(concurrency: number): Promise<void>;
  /** The saga's recorded step attempts for these photos. */
  sagaAttempts(photoIds: string[]): Promise<SagaAttemptRecord[]>;
  /** Graceful stop (SIGTERM), then removes the data folder. */
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./server-process-main.ts', import.meta.url));

/** Starts a process on a fresh data folder; `env` adds FLICKR_* settings. */
export async function startServerProcess(
  kind: ProcessKind,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'flickr-bench-server-'));
  const child: ChildProcess = fork(MAIN, [kind], {
    execArgv: [
      '--conditions=source',
      '--disable-warning=ExperimentalWarning',
      // BENCH_CPU_PROF=DIR writes a CPU profile of each server process into DIR.
      ...(process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
    ],
    env: {
      ...process.env,
      FLICKR_DATA_DIR: dataDir,
      FLICKR_PORT: '0',
      FLICKR_LOG_LEVEL: 'warn',
      FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // The server logs JSON lines on stdout: warnings belong with the benchmark's diagnostics.
  child.stdout?.pipe(process.stderr);
  const exited = once(child, 'exit');

  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: Message) => {
      if (message.type === 'ready') resolve(message.url);
      else {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(message.error));
        else waiting?.resolve(message.result);
      }
    });
    void exited.then(([code, signal]) =>
      reject(new Error(`${kind} process exited (${code ?? signal}) before it was ready`)),
    );
  });

  const call = (command: Command) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, ...command });
    });

  return {
    url,
    dataDir,
    resetPeakRss: async () => {
      await call({ command: 'resetPeakRss' });
    },
    usage: async () => (await call({ command: 'usage' })) as ProcessUsage,
    cpuMs: async () => (await call({ command: 'cpuMs' })) as number,
    seedPhotos: async (ownerId, sha256) => {
      await call({ command: 'seedPhotos', ownerId, sha256 });
    },
    startWorker: async (concurrency) => {
      await call({ command: 'startWorker', concurrency });
    },
    sagaAttempts: async (photoIds) =>
      (await call({ command: 'sagaAttempts', photoIds })) as SagaAttemptRecord[],
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
