import { type Kysely, sql } from 'kysely';

// The people half: whether a profile shows its photos to strangers, who
// follows whom, and what each user is told about (notifications).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('profile_visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .execute();

  // A follow has its own time-ordered id so that both of its lists page by keyset;
  // the pair is unique, which makes following twice (even at once) one follow.
  await db.schema
    .createTable('follows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('follower_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('followee_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('follows_pair', ['followee_id', 'follower_id'])
    .execute();
  await db.schema
    .createIndex('follows_followee_id')
    .on('follows')
    .columns(['followee_id', 'id'])
    .execute();
  await db.schema
    .createIndex('follows_follower_id')
    .on('follows')
    .columns(['follower_id', 'id'])
    .execute();

  // (recipient, kind, subject) is unique: a producer that runs twice (a saga
  // step retried after a crash, a request retried) notifies nobody twice.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('recipient_id', 'text', (c) =>
      c.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('photo_id', 'text', (c) => c.references('photos.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .addUniqueConstraint('notifications_subject', ['recipient_id', 'kind', 'subject'])
    .execute();
  await db.schema
    .createIndex('notifications_recipient_id')
    .on('notifications')
    .columns(['recipient_id', 'id'])
    .execute();
  // The unread count reads this index alone: it holds only unread rows.
  await db.schema
    .createIndex('notifications_unread')
    .on('notifications')
    .columns(['recipient_id', 'id'])
    .where(sql.ref('read_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('follows').execute();
  await db.schema.alterTable('users').dropColumn('profile_visibility').execute();
}
