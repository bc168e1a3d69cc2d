import { type Kysely, sql } from 'kysely';

// A deleted account keeps its users row as a tombstone: its photos still
// need an owner until the purge job has removed their files and rows, and its
// username stays taken, so nobody can register it and pass for the person who
// left (docs/api.md, "Deleting and exporting an account"). The row keeps no
// password: `password_hash` is blanked when `deleted_at` is set.
//
// Deleting an account removes the notifications it caused, found by their
// actor: without an index that is a scan of every notification of everyone.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('deleted_at', 'text').execute();
  await db.schema
    .createIndex('notifications_actor_id')
    .on('notifications')
    .column('actor_id')
    .where(sql.ref('actor_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('notifications_actor_id').execute();
  await db.schema.alterTable('users').dropColumn('deleted_at').execute();
}
