// A database that fails under a running server: the answer is a generic
// 500 problem with the request id; the driver's message and the SQL go to
// the log under that id, never to the client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Album, Problem } from '@flickr-kit/sdk/contract';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type RunningServer, startRole } from '../src/roles.ts';
import { createTestDatabase, registerUser, TEST_DATABASE, type TestDatabase } from './harness.ts';
import { expectProblem } from './problems.ts';

/** Words of the drivers' messages and of the SQL behind them. */
const DRIVER_TEXT =
  /albums|no such table|relation|does not exist|select|insert|sqlite|postgres|kysely/i;

describe('server errors', () => {
  let database: TestDatabase;
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let token: string;
  let username: string;
  const logged: Record<string, unknown>[] = [];

  /** Renames a table under the running server, from another connection, as a botched migration would. */
  async function renameTable(from: string, to: string): Promise<void> {
    const statement = `alter table ${from} rename to ${to}`;
    if (TEST_DATABASE === 'sqlite') {
      const sqlite = new DatabaseSync(join(dataDir, 'flickr.db'));
      sqlite.exec(statement);
      sqlite.close();
      return;
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(statement);
    await client.end();
  }

  const createAlbum = (name: string) =>
    fetch(`${url}/v1/albums`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'flickr-server-errors-'));
    const config = loadConfig({
      FLICKR_DATA_DIR: dataDir,
      FLICKR_PORT: '0',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    });
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    running = await startRole('serve', config, log);
    url = running.url ?? '';
    ({ token, username } = await registerUser(url));
  });
  afterAll(async () => {
    await running?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a failing query with a generic 500 and logs what the driver said under its request id', async () => {
    expect((await createAlbum('Before')).status).toBe(201);
    await renameTable('albums', 'albums_elsewhere');
    try {
      for (const response of [
        await createAlbum('During'),
        await fetch(`${url}/v1/users/${username}/albums`),
      ]) {
        const problem: Problem = await expectProblem(response, 500, 'internal');
        expect(problem.detail).toBe(
          `Something went wrong on the server; quote request id ${problem.requestId} when reporting it`,
        );
        expect(problem.detail).not.toMatch(DRIVER_TEXT);
        const line = logged.find((entry) => entry.reqId === problem.requestId && entry.err);
        expect((line?.err as { message?: string } | undefined)?.message).toMatch(DRIVER_TEXT);
      }
    } finally {
      await renameTable('albums_elsewhere', 'albums');
    }
  });

  it('stays up and loses nothing: once the table is back, what was stored is there', async () => {
    const albums = await fetch(`${url}/v1/users/${username}/albums`);
    expect(albums.status).toBe(200);
    const { items } = (await albums.json()) as { items: Album[] };
    expect(items.map((album) => album.name)).toEqual(['Before']);
    expect((await createAlbum('After')).status).toBe(201);
  });
});
