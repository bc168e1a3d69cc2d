import type { Kysely } from 'kysely';

// Comments, favorites and the account setting that says whether new photos
// take comments. Rows of a photo go with it when it is purged (foreign keys,
// enforced by both databases); until then a deleted photo hides them, since
// they are reached through the photo's access rule.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('photo_id', 'text', (c) => c.notNull().references('photos.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .execute();
  // A page of a photo's comments, either way, is one range of this index.
  await db.schema
    .createIndex('comments_photo_id')
    .on('comments')
    .columns(['photo_id', 'id'])
    .execute();
  await db.schema.createIndex('comments_author').on('comments').column('author_id').execute();

  // One row per user and photo: the key makes adding twice a no-op, whichever
  // request wins. `id` orders a user's favorites by when they were added.
  await db.schema
    .createTable('favorites')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('photo_id', 'text', (c) => c.notNull().references('photos.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('favorites_pk', ['user_id', 'photo_id'])
    .execute();
  await db.schema
    .createIndex('favorites_user_id')
    .on('favorites')
    .columns(['user_id', 'id'])
    .execute();
  await db.schema.createIndex('favorites_photo').on('favorites').column('photo_id').execute();
  // Kept with each favorite added or removed, in the same transaction: a
  // listing shows the count of every photo without counting rows.
  await db.schema
    .alterTable('photos')
    .addColumn('favorite_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('user_settings')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('comments_enabled_by_default', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_settings').execute();
  await db.schema.alterTable('photos').dropColumn('favorite_count').execute();
  await db.schema.dropTable('favorites').execute();
  await db.schema.dropTable('comments').execute();
}
