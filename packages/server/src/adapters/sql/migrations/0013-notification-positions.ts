import { type Kysely, sql } from 'kysely';

// Where each notification stands in its recipient's stream, in commit order.
// Ids are time-ordered but two writers can commit out of id order, so a
// stream that resumed after an id could miss one committed late, or had to
// resend a margin below it (which stock EventSource clients do not dedupe).
// A position is taken from the recipient's counter row, which its writer
// holds locked until it commits: a later position always commits later.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_counters')
    .addColumn('recipient_id', 'text', (c) =>
      c.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('last_position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('notifications')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // What exists is numbered in id order: it is all committed by now.
  await sql`
    update notifications set position = numbered.position
    from (
      select id, row_number() over (partition by recipient_id order by id) as position
      from notifications
    ) as numbered
    where notifications.id = numbered.id`.execute(db);
  await sql`
    insert into notification_counters (recipient_id, last_position)
    select recipient_id, max(position) from notifications group by recipient_id`.execute(db);
  // A stream reads one range of this index; unique, so no two share a place.
  await db.schema
    .createIndex('notifications_position')
    .on('notifications')
    .columns(['recipient_id', 'position'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('notifications_position').execute();
  await db.schema.alterTable('notifications').dropColumn('position').execute();
  await db.schema.dropTable('notification_counters').execute();
}
