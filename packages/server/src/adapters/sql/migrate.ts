import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import type { SqlDialectName } from './connect.ts';
import * as initial from './migrations/0001-initial.ts';
import * as sharingAndReading from './migrations/0002-sharing-and-reading.ts';
import * as finishedUploadsKeep from './migrations/0003-finished-uploads-keep.ts';
import * as photoBlobFolder from './migrations/0004-photo-blob-folder.ts';
import * as uploadRecords from './migrations/0005-upload-records.ts';
import * as photoStatusListing from './migrations/0006-photo-status-listing.ts';
import * as photoSearch from './migrations/0008-photo-search.ts';
import type { Database } from './schema.ts';

/** Migrations in order; names sort the same way, which Kysely checks. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-sharing-and-reading': sharingAndReading,
  '0003-finished-uploads-keep': finishedUploadsKeep,
  '0004-photo-blob-folder': photoBlobFolder,
  '0005-upload-records': uploadRecords,
  '0006-photo-status-listing': photoStatusListing,
  '0008-photo-search': photoSearch,
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
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`Database migration failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
