import type { Kysely } from 'kysely';

// Listings filtered by status (`?status=failed`): with the status between
// the owner (or album) and the id, a page is one range of the index, read in
// id order, however few of the photos have that status. Without it, the
// (owner, id) index walks every photo of the owner to find a page of the
// rare failed ones. Listings for viewers who see only ready photos use it too.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('photos_owner_status_id')
    .on('photos')
    .columns(['owner_id', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('photos_album_status_id')
    .on('photos')
    .columns(['album_id', 'status', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('photos_album_status_id').execute();
  await db.schema.dropIndex('photos_owner_status_id').execute();
}
