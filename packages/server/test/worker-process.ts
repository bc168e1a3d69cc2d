// A saga worker in a process of its own (test/fixtures/saga-worker.ts), for
// tests that kill workers with SIGKILL or run several of them at once.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { SagaStep } from '@flickr-kit/sdk/contract';
import type { TestServer } from './harness.ts';

/**
 * Where a worker kills itself in a step: `claimed`, once it holds the
 * step's event but before the step runs; `before-commit`, once the step's
 * effects are done and its transaction is open, before the commit;
 * `mid-fan-out`, once the first batch of a fan-out's notifications committed.
 */
export type CrashPoint = 'claimed' | 'before-commit' | 'mid-fan-out';

/** Where a worker dies: in a step, at a point, working on one photo. */
export interface CrashAt {
  step: SagaStep;
  point: CrashPoint;
  photoId: string;
}

/** Faults the worker process injects into its steps, for one photo or all. */
export interface WorkerFaults {
  crash?: CrashAt;
  /** Several places to die at: the first one reached ends the process. */
  crashes?: CrashAt[];
  /** Makes `step` take `ms` longer, to outlive a lease that renewal must keep. */
  slow?: { step: SagaStep; ms: number };
}

export interface WorkerProcessOptions {
  /** Settings beyond the server's own (data folder, database, renditions). */
  env?: Record<string, string>;
  faults?: WorkerFaults;
  /** Build everything and report ready, but claim nothing until `go()`. */
  waitForGo?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  readonly pid: number;
  /** Resolves once the worker is built (and, without `waitForGo`, started). */
  readonly ready: Promise<void>;
  readonly exited: Promise<Exit>;
  go(): void;
  /** What the process wrote on standard output: a line `crashed <step> <point>` before it dies. */
  stdout(): string;
  /** Graceful stop (SIGTERM), then SIGKILL if it does not exit within `graceMs`. */
  stop(graceMs?: number): Promise<Exit>;
}

const SCRIPT = fileURLToPath(new URL('./fixtures/saga-worker.ts', import.meta.url));

/** Starts a worker process on the server's data folder and database. */
export function startWorkerProcess(
  server: Pick<TestServer, 'dataDir' | 'config'>,
  options: WorkerProcessOptions = {},
): WorkerProcess {
  const { config } = server;
  const child: ChildProcess = fork(SCRIPT, [], {
    execArgv: ['--conditions=source', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      PATH: process.env.PATH ?? '',
      FLICKR_DATA_DIR: server.dataDir,
      ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
      FLICKR_RENDITIONS: config.renditions.map((r) => `${r.name}:${r.width}:${r.format}`).join(','),
      FLICKR_PIXEL_LIMIT: String(config.pixelLimit),
      FLICKR_WORKER_POLL_MS: String(config.workerPollMs),
      FLICKR_SAGA_BACKOFF_MS: String(config.sagaBackoffMs),
      FLICKR_SAGA_MAX_ATTEMPTS: String(config.sagaMaxAttempts),
      ...(process.env.FLICKR_TEST_LOG_LEVEL
        ? { FLICKR_TEST_LOG_LEVEL: process.env.FLICKR_TEST_LOG_LEVEL }
        : {}),
      ...options.env,
      SAGA_TEST_FAULTS: JSON.stringify(options.faults ?? {}),
      SAGA_TEST_WAIT_FOR_GO: options.waitForGo ? '1' : '',
    },
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
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: { type?: string }) => {
      if (message.type === 'ready') resolve();
    });
    void exited.then(({ code, signal }) =>
      reject(
        new Error(`worker process exited (${code ?? signal}) before it was ready:\n${stderr}`),
      ),
    );
  });
  // A worker that crashes on purpose never becomes ready: nobody need wait for that.
  ready.catch(() => {});

  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    go: () => child.send({ type: 'go' }),
    stdout: () => stdout,
    stop: async (graceMs = 5_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** Waits for a process to exit, or fails (and kills it) after `timeoutMs`. */
export async function exitOf(worker: WorkerProcess, timeoutMs = 20_000): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void worker.stop(0);
      reject(new Error(`worker process ${worker.pid} still running after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([worker.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
