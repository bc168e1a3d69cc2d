import type { Kysely, Transaction } from 'kysely';
import type { SqlDialectName } from '../connect.ts';
import type { Database } from '../schema.ts';

/** What every repository runs its queries on: the database, or a transaction. */
export interface SqlContext {
  db: Kysely<Database> | Transaction<Database>;
  dialect: SqlDialectName;
}

/** True for a unique-constraint violation, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || /UNIQUE constraint failed/i.test(error.message);
}
