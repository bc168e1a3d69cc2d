import { type Kysely, sql } from 'kysely';

// Part two of the schema: access grants, where each original is stored, and
// the indexes that keep listing and purging cheap.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('grants')
    .addColumn('sharer_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('viewer_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('grants_pk', ['sharer_id', 'viewer_id'])
    .execute();
  await db.schema.createIndex('grants_viewer').on('grants').column('viewer_id').execute();

  // Keys are fixed when written, so a photo moved to another album keeps serving from where its files are.
  await db.schema.alterTable('photos').addColumn('original_key', 'text').execute();
  await db.schema.createIndex('photos_album_id').on('photos').columns(['album_id', 'id']).execute();
  await db.schema
    .createIndex('photos_deleted_at')
    .on('photos')
    .column('deleted_at')
    .where(sql.ref('deleted_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('photos_deleted_at').execute();
  await db.schema.dropIndex('photos_album_id').execute();
  await db.schema.alterTable('photos').dropColumn('original_key').execute();
  await db.schema.dropTable('grants').execute();
}
