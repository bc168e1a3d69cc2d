// The listing benchmarks' own connection to the server's database, beside the
// server's: bulk seeding in one transaction, and the OFFSET baseline, which
// the metadata store (rightly) does not offer: node:sqlite on the data
// folder's flickr.db, or PostgreSQL. Photos (listing.bench.ts) and comments
// (comments.bench.ts).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import pg from 'pg';
import type { PhotoRecord } from '../src/ports/metadata-store.ts';
import type { TestDatabase } from '../test/harness.ts';
import { POSTGRES_URL, postgresReachable } from '../test/postgres-server.ts';

export type BenchDatabase = 'sqlite' | 'postgres';

/**
 * Runs a database bench on SQLite, then on PostgreSQL where one answers
 * (skipped, saying so, where none does); `BENCH_DATABASE` picks one, and
 * then a PostgreSQL that does not answer is an error, not a skip.
 */
export async function onEachDatabase(
  bench: string,
  measure: (kind: BenchDatabase) => Promise<void>,
): Promise<void> {
  const databases: readonly BenchDatabase[] = ['sqlite', 'postgres'];
  const only = process.env.BENCH_DATABASE;
  const chosen = databases.filter((kind) => !only || kind === only);
  if (chosen.length === 0)
    throw new Error(`BENCH_DATABASE must be sqlite or postgres, not ${only}`);
  for (const kind of chosen) {
    if (kind === 'postgres' && !only && !(await postgresReachable())) {
      console.log(
        `${bench} (postgres): skipped, no PostgreSQL answers at FLICKR_TEST_POSTGRES_URL`,
      );
      continue;
    }
    await measure(kind);
  }
}

/**
 * A database for the benchmark's server. On PostgreSQL a whole database of
 * its own, not a schema of the shared test database: its many thousand rows,
 * and the VACUUM ANALYZE the loaders run, stay apart from the test suites'.
 */
export async function createBenchDatabase(kind: BenchDatabase): Promise<TestDatabase> {
  if (kind === 'sqlite') return { url: undefined, drop: async () => {} };
  const name = `bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

type Row = Record<string, unknown>;

/** A record as a row of the `photos` table: snake_case columns, tags as JSON, booleans as 0 or 1. */
function photoRow(photo: PhotoRecord): Row {
  return Object.fromEntries(
    Object.entries(photo).map(([field, value]) => [
      field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      field === 'tags' ? JSON.stringify(value) : typeof value === 'boolean' ? Number(value) : value,
    ]),
  );
}

/** Plain SQL against the server's database, `?` placeholders on both dialects. */
export interface DirectSql {
  query(sql: string, parameters?: unknown[]): Promise<Row[]>;
  /** Inserts photo rows in batches, all in one transaction. */
  insertPhotos(photos: readonly PhotoRecord[]): Promise<void>;
  /** Inserts rows (snake_case columns, all alike) into a table in batches, all in one transaction. */
  insertRows(table: string, rows: readonly Row[]): Promise<void>;
  close(): Promise<void>;
}

function sqliteSql(path: string): DirectSql {
  const db = new DatabaseSync(path);
  db.exec('pragma busy_timeout = 10000');
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepared = (sql: string) => {
    const cached = statements.get(sql);
    if (cached) return cached;
    const statement = db.prepare(sql);
    statements.set(sql, statement);
    return statement;
  };
  return {
    query: async (sql, parameters = []) =>
      prepared(sql).all(...(parameters as SQLInputValue[])) as Row[],
    insertPhotos: (photos) => insertRows('photos', photos.map(photoRow)),
    insertRows,
    close: async () => db.close(),
  };

  async function insertRows(table: string, rows: readonly Row[]): Promise<void> {
    const first = rows[0];
    if (!first) return;
    const columns = Object.keys(first);
    const insert = prepared(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    );
    db.exec('begin');
    try {
      for (const row of rows) insert.run(...(Object.values(row) as SQLInputValue[]));
      db.exec('commit');
    } catch (error) {
      db.exec('rollback');
      throw error;
    }
  }
}

async function postgresSql(url: string): Promise<DirectSql> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const query = async (sql: string, parameters: unknown[] = []) =>
    (await client.query(numbered(sql), parameters)).rows as Row[];
  const insertRows = async (table: string, rows: readonly Row[]): Promise<void> => {
    const first = rows[0];
    if (!first) return;
    const columns = Object.keys(first);
    // PostgreSQL takes at most 65,535 parameters a statement.
    const perBatch = Math.floor(60_000 / columns.length);
    await client.query('begin');
    try {
      for (let at = 0; at < rows.length; at += perBatch) {
        const batch = rows.slice(at, at + perBatch);
        const tuples = batch.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
        await query(
          `insert into ${table} (${columns.join(', ')}) values ${tuples}`,
          batch.flatMap((row) => Object.values(row)),
        );
      }
      await client.query('commit');
      // What autovacuum does shortly after a bulk load (PostgreSQL 13 and later vacuum a
      // table after inserts too): plans depend on its statistics and visibility map.
      await client.query(`vacuum analyze ${table}`);
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  };
  return {
    query,
    insertPhotos: (photos) => insertRows('photos', photos.map(photoRow)),
    insertRows,
    close: () => client.end(),
  };
}

/** Opens a connection of its own to the database a server with this data folder and URL uses. */
export function connectDirectly(dataDir: string, url: string | undefined): Promise<DirectSql> {
  return url ? postgresSql(url) : Promise.resolve(sqliteSql(join(dataDir, 'flickr.db')));
}
