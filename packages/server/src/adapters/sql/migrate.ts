import {
  type DatabaseIntrospector,
  type Kysely,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import type { SqlDialectName } from './connect.ts';
import * as initial from './migrations/0001-initial.ts';
import * as sharingAndReading from './migrations/0002-sharing-and-reading.ts';
import * as finishedUploadsKeep from './migrations/0003-finished-uploads-keep.ts';
import * as photoBlobFolder from './migrations/0004-photo-blob-folder.ts';
import * as uploadRecords from './migrations/0005-upload-records.ts';
import * as photoStatusListing from './migrations/0006-photo-status-listing.ts';
import * as commentsFavorites from './migrations/0007-comments-favorites.ts';
import * as photoSearch from './migrations/0008-photo-search.ts';
import * as followsNotifications from './migrations/0009-follows-notifications.ts';
import * as locationPrivacy from './migrations/0010-location-privacy.ts';
import * as accountDeletion from './migrations/0011-account-deletion.ts';
import * as searchSpeed from './migrations/0012-search-speed.ts';
import * as notificationPositions from './migrations/0013-notification-positions.ts';
import * as searchFacets from './migrations/0014-search-facets.ts';
import type { Database } from './schema.ts';

/** Migrations in order; names sort the same way, which Kysely checks. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-sharing-and-reading': sharingAndReading,
  '0003-finished-uploads-keep': finishedUploadsKeep,
  '0004-photo-blob-folder': photoBlobFolder,
  '0005-upload-records': uploadRecords,
  '0006-photo-status-listing': photoStatusListing,
  '0007-comments-favorites': commentsFavorites,
  '0008-photo-search': photoSearch,
  '0009-follows-notifications': followsNotifications,
  '0010-location-privacy': locationPrivacy,
  '0011-account-deletion': accountDeletion,
  '0012-search-speed': searchSpeed,
  '0013-notification-positions': notificationPositions,
  '0014-search-facets': searchFacets,
};

/** Brings the schema up to date; safe to run on every start and from several processes. */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: SqlDialectName,
): Promise<MigrationResultSet> {
  // Unless told which schema holds its bookkeeping tables, Kysely looks for
  // them in every schema it can see: another schema of the same PostgreSQL
  // database that has them (another deployment, a parallel test server) made
  // it skip creating ours, and the migration failed on a missing table.
  const migrationTableSchema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined;
  const migrator = new Migrator({
    db: migrationTableSchema ? scopedIntrospection(db, migrationTableSchema) : db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`Database migration failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}

/**
 * The database as the migrator sees it, with an introspector that looks at
 * one schema. Kysely's PostgreSQL introspector lists the tables of every
 * schema, calling `has_schema_privilege(name, ...)` on each: a schema
 * dropped meanwhile by someone else (another deployment's teardown, a
 * parallel test server's) made that query fail with "schema does not
 * exist", and our migration with it. The migrator only asks whether its two
 * bookkeeping tables exist.
 */
function scopedIntrospection(db: Kysely<Database>, schema: string): Kysely<Database> {
  const introspector: DatabaseIntrospector = {
    getSchemas: async (): Promise<SchemaMetadata[]> => [{ name: schema }],
    getTables: async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ name: string }>`
        select c.relname as name from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(db);
      return rows.map(({ name }) => ({
        name,
        schema,
        isView: false,
        isForeign: false,
        columns: [],
      }));
    },
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspector;
      const value: unknown = Reflect.get(target, property, target);
      // Kysely keeps its state in private fields: its methods must run on the instance itself.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
