import { type Kysely, sql } from 'kysely';

// Uploads get columns of their own in place of @tus/server's serialised
// state: the declared length (null while deferred), the metadata, the
// concatenation role, the Idempotency-Key its creation carried (scoped to
// the token), and, once the pivot has run, when and with what outcome. A finished upload now keeps its record (not its bytes) for an
// expiry period, so a client that lost the final answer can still ask.

interface LegacyUpload {
  id: string;
  state: string;
  created_at: string;
  expires_at: string | null;
}

/** What rows written before this migration were finished with: nobody knows any more. */
const LEGACY_OUTCOME = null;
const DAY_MS = 24 * 3_600_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('length', 'bigint').execute();
  await db.schema
    .alterTable('uploads')
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.alterTable('uploads').addColumn('concat', 'text').execute();
  await db.schema.alterTable('uploads').addColumn('finished_at', 'text').execute();
  await db.schema.alterTable('uploads').addColumn('outcome', 'text').execute();
  await db.schema.alterTable('uploads').addColumn('creation_key', 'text').execute();

  const rows =
    await sql<LegacyUpload>`select id, state, created_at, expires_at from uploads`.execute(db);
  const now = Date.now();
  for (const row of rows.rows) {
    const state = JSON.parse(row.state) as {
      size?: number;
      metadata?: Record<string, string | null>;
    };
    const { owner: _owner, ...metadata } = state.metadata ?? {};
    // A row without an expiry was finished: the saga still owns its bytes; its record now lives a day.
    const finishedAt = row.expires_at === null ? new Date(now).toISOString() : null;
    await sql`
      update uploads set
        length = ${state.size ?? null},
        metadata = ${JSON.stringify(metadata)},
        finished_at = ${finishedAt},
        outcome = ${LEGACY_OUTCOME},
        expires_at = ${row.expires_at ?? new Date(now + DAY_MS).toISOString()}
      where id = ${row.id}`.execute(db);
  }
  await db.schema.alterTable('uploads').dropColumn('state').execute();
  await db.schema.createIndex('uploads_expires_at').on('uploads').column('expires_at').execute();
  await db.schema
    .createIndex('uploads_creation_key')
    .on('uploads')
    .column('creation_key')
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('uploads_creation_key').execute();
  await db.schema.dropIndex('uploads_expires_at').execute();
  await db.schema
    .alterTable('uploads')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  for (const column of ['length', 'metadata', 'concat', 'finished_at', 'outcome', 'creation_key']) {
    await db.schema.alterTable('uploads').dropColumn(column).execute();
  }
}
