// The real flickr-server binary (role `all`: API and saga worker), which a
// test kills with SIGKILL mid-upload and starts again on the same port, data
// folder and database, as a crashed server comes back.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BinaryProcess, startBinary } from '../binary-process.ts';
import { createTestDatabase, type TestDatabase } from '../harness.ts';

export interface KillableServer {
  /** The server's own base URL (the same after every restart). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** SIGKILL: no shutdown, no answer to what is in flight; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts the binary again on the same port, data folder and database. */
  restart(): Promise<void>;
  /** The bytes staged on disk for each upload, by upload id. */
  staged(): Promise<Map<string, number>>;
  /** Stops the process and removes its data folder and database. */
  destroy(): Promise<void>;
}

export async function startKillableServer(
  env: Record<string, string> = {},
): Promise<KillableServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'flickr-interop-'));
  const database: TestDatabase = await createTestDatabase();
  const settings = {
    FLICKR_DATA_DIR: dataDir,
    FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    FLICKR_WORKER_POLL_MS: '50',
    FLICKR_SAGA_BACKOFF_MS: '50',
    FLICKR_LOG_LEVEL: 'warn',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...env,
  };
  let running: BinaryProcess = await startBinary(['all'], settings);
  const url = running.url as string;
  const port = new URL(url).port;
  const uploads = join(dataDir, 'uploads');

  return {
    url,
    port: Number(port),
    dataDir,
    kill: async () => {
      running.child.kill('SIGKILL');
      await running.exited;
    },
    restart: async () => {
      running = await startBinary(['all'], { ...settings, FLICKR_PORT: port });
    },
    staged: async () => {
      // Thumbnails sent with an upload sit beside it as `<id>.thumbnail`.
      const ids = (await readdir(uploads).catch(() => [])).filter((name) => !name.includes('.'));
      const sizes = await Promise.all(
        ids.map(async (id) => [id, (await stat(join(uploads, id)).catch(() => undefined))?.size]),
      );
      return new Map(sizes.filter((entry): entry is [string, number] => entry[1] !== undefined));
    },
    destroy: async () => {
      await running.terminate().catch(() => running.child.kill('SIGKILL'));
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
