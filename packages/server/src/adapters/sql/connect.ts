import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { NodeSqliteDatabase, NodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { Database } from './schema.ts';

export type SqlDialectName = 'sqlite' | 'postgres';

export interface SqlDatabase {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** Where it lives, without credentials, for logs. */
  description: string;
}

/** Postgres int8 (bigint) as a JS number: byte counts stay far below 2^53. */
const INT8_OID = 20;

/**
 * Opens the metadata database: PostgreSQL for a `postgres://` URL, otherwise
 * SQLite (`sqlite:PATH`, or `flickr.db` in the data folder).
 */
export function connectDatabase(url: string | undefined, dataDir: string): SqlDatabase {
  const plugins = [new CamelCasePlugin()];
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      // pg waits forever for a host that never answers: a failure to report, not a hang.
      connectionTimeoutMillis: 10_000,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    const parsed = new URL(url);
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins }),
      dialect: 'postgres',
      description: `postgres://${parsed.host}${parsed.pathname}`,
    };
  }
  const path = url?.startsWith('sqlite:')
    ? url.slice('sqlite:'.length)
    : join(dataDir, 'flickr.db');
  if (!url) mkdirSync(dataDir, { recursive: true });
  const sqlite = new DatabaseSync(path);
  // WAL lets readers run beside the writer; the busy timeout lets several
  // processes (serve, worker) share the file without failing on contention.
  sqlite.exec(
    'pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma busy_timeout = 10000;',
  );
  return {
    db: new Kysely<Database>({
      dialect: new NodeSqliteDialect(new NodeSqliteDatabase(sqlite)),
      plugins,
    }),
    dialect: 'sqlite',
    description: `sqlite:${path}`,
  };
}
