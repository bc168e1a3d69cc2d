import type {
  UploadOutcome,
  UploadRecord,
  UploadRepository,
} from '../../../ports/metadata-store.ts';
import type { UploadsTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

const toRecord = (row: UploadsTable): UploadRecord => ({
  ...row,
  metadata: JSON.parse(row.metadata) as UploadRecord['metadata'],
  outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as UploadOutcome),
});

export class SqlUploadRepository implements UploadRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insert(upload: UploadRecord): Promise<boolean> {
    // ON CONFLICT, not a caught violation: it may run inside a transaction (PostgreSQL aborts those).
    const result = await this.#sql.db
      .insertInto('uploads')
      .values({
        ...upload,
        metadata: JSON.stringify(upload.metadata),
        outcome: upload.outcome === null ? null : JSON.stringify(upload.outcome),
      })
      .onConflict((conflict) => conflict.column('creationKey').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async byCreationKey(key: string): Promise<UploadRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('uploads')
      .selectAll()
      .where('creationKey', '=', key)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async byId(id: string): Promise<UploadRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async delete(id: string): Promise<void> {
    await this.#sql.db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  async touch(id: string, expiresAt: string): Promise<void> {
    await this.#sql.db
      .updateTable('uploads')
      .set({ expiresAt })
      .where('id', '=', id)
      .where('finishedAt', 'is', null)
      .execute();
  }

  async declareLength(id: string, length: number): Promise<boolean> {
    const result = await this.#sql.db
      .updateTable('uploads')
      .set({ length })
      .where('id', '=', id)
      .where('length', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async finish(
    id: string,
    outcome: UploadOutcome,
    at: string,
    expiresAt: string,
  ): Promise<boolean> {
    const result = await this.#sql.db
      .updateTable('uploads')
      .set({ finishedAt: at, outcome: JSON.stringify(outcome), expiresAt })
      .where('id', '=', id)
      .where('finishedAt', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async abandonAllOf(ownerId: string, at: string): Promise<void> {
    await this.#sql.db
      .updateTable('uploads')
      .set({ expiresAt: at })
      .where('ownerId', '=', ownerId)
      .where('finishedAt', 'is', null)
      .execute();
  }

  async expiredBefore(at: string, limit: number): Promise<UploadRecord[]> {
    const rows = await this.#sql.db
      .selectFrom('uploads')
      .selectAll()
      .where('expiresAt', '<', at)
      .orderBy('expiresAt')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }
}
