import type { Kysely } from 'kysely';

// Where a photo's files go (`<user>/<album>`), fixed at the pivot, so the saga
// writes every file of a photo under one folder even when the photo changes
// album, or its album is deleted, while the saga runs. Null for photos
// recorded before: their folder is their album at the time of each write.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('photos').addColumn('blob_folder', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('photos').dropColumn('blob_folder').execute();
}
