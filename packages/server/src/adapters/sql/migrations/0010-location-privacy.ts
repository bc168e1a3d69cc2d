import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Geo privacy: who sees a photo's location (each photo may override its
// owner's default), whether the owner has edited the location the original
// file carries, and the GPS-free copy of each original: where its GPS bytes
// lie and its own digest, worked out once per file. On PostgreSQL the
// coordinates become double precision: `real` kept about 7 digits, so a
// location was read back other than it was written (48.8566667 as 48.856667);
// SQLite's REAL is already a double.

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`alter table photos alter column latitude type double precision,
      alter column longitude type double precision`.execute(db);
  await db.schema.alterTable('photos').addColumn('location_visibility', 'text').execute();
  await db.schema
    .alterTable('photos')
    .addColumn('location_edited', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('user_settings')
    .addColumn('location_visibility_default', 'text', (c) => c.notNull().defaultTo('shared'))
    .execute();
  // Written once, the first time someone who may not see the location
  // downloads the original; the file never changes, so neither does this.
  await db.schema
    .createTable('original_scrubs')
    .addColumn('photo_id', 'text', (c) =>
      c.primaryKey().references('photos.id').onDelete('cascade'),
    )
    .addColumn('patches', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('original_scrubs').execute();
  await db.schema.alterTable('user_settings').dropColumn('location_visibility_default').execute();
  await db.schema.alterTable('photos').dropColumn('location_edited').execute();
  await db.schema.alterTable('photos').dropColumn('location_visibility').execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`alter table photos alter column latitude type real,
      alter column longitude type real`.execute(db);
}
