import type { Kysely } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import * as initial from './migrations/0001-initial.ts';
import * as sharingAndReading from './migrations/0002-sharing-and-reading.ts';
import type { Database } from './schema.ts';

/** Migrations in order; names sort the same way, which Kysely checks. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-sharing-and-reading': sharingAndReading,
};

/** Brings the schema up to date; safe to run on every start and from several processes. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`Database migration failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
