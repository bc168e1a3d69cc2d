import { type Kysely, sql } from 'kysely';

// Finished uploads no longer expire (their bytes belong to the saga until it
// has stored them): clear the expiry of those the saga still has to store,
// recorded before the pivot started doing so. Only store_original events
// name an upload.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update uploads set expires_at = null
    where exists (
      select 1 from outbox
      where outbox.payload like '%"uploadId":"' || uploads.id || '"%'
    )`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: a finished upload without an expiry is also valid before this migration.
}
