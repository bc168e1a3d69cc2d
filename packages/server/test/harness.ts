// Starts real servers for tests: each on port 0, with its own temporary data
// folder and, on PostgreSQL, its own schema, dropped afterwards.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { type Config, loadConfig } from '../src/config.ts';
import { type Role, type RunningServer, startRole } from '../src/roles.ts';
import { POSTGRES_URL } from './postgres-server.ts';

export const TEST_DATABASE =
  process.env.FLICKR_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** A database for one test server: a fresh PostgreSQL schema, or SQLite in the data folder. */
export interface TestDatabase {
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DATABASE === 'sqlite') return { url: undefined, drop: async () => {} };
  return createPostgresDatabase();
}

/** A fresh schema on the test PostgreSQL server, whichever database the run is for. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

export interface TestServer extends RunningServer {
  url: string;
  dataDir: string;
  config: Config;
  /** Stops the server; the data folder and database stay for a restart. */
  stop(): Promise<void>;
  /** A new server on the same data folder and database (and, by default, the same port). */
  restart(env?: Record<string, string>): Promise<TestServer>;
  /** Stops and removes everything. */
  destroy(): Promise<void>;
}

const quiet = () => pino({ level: process.env.FLICKR_TEST_LOG_LEVEL ?? 'silent' });

/** Starts a server (role `all` by default) on a temporary data folder and database. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { role?: Role; dataDir?: string; database?: TestDatabase } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'flickr-server-')));
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    FLICKR_DATA_DIR: dataDir,
    FLICKR_PORT: '0',
    FLICKR_WORKER_POLL_MS: '50',
    FLICKR_SAGA_BACKOFF_MS: '50',
    FLICKR_SHUTDOWN_GRACE_MS: '2000',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const running = await startRole(options.role ?? 'all', config, quiet());
  const server: TestServer = {
    ...running,
    url: running.url ?? '',
    dataDir,
    config,
    stop: running.stop,
    restart: async (overrides = {}) => {
      await running.stop();
      const port = running.url ? new URL(running.url).port : '0';
      return startTestServer(
        { ...env, FLICKR_PORT: port, ...overrides },
        { ...options, dataDir, database },
      );
    },
    destroy: async () => {
      await running.stop();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Registers a user and returns its session token. */
export async function registerUser(
  url: string,
  username = `u${randomUUID().slice(0, 8)}`,
): Promise<{ token: string; userId: string; username: string }> {
  const response = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'a long passphrase' }),
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`);
  const session = (await response.json()) as { token: string; user: { id: string } };
  return { token: session.token, userId: session.user.id, username };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
