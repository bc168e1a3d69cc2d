import type { SagaAttemptRecord, SagaAttemptRepository } from '../../../ports/metadata-store.ts';
import type { SagaAttemptsTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

export class SqlSagaAttemptRepository implements SagaAttemptRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insert(attempt: SagaAttemptRecord): Promise<void> {
    await this.#sql.db.insertInto('sagaAttempts').values(attempt).execute();
  }

  async finish(
    id: string,
    outcome: SagaAttemptsTable['outcome'],
    at: string,
    error: string | null,
  ): Promise<void> {
    await this.#sql.db
      .updateTable('sagaAttempts')
      .set({ outcome, finishedAt: at, error })
      .where('id', '=', id)
      .execute();
  }

  async forPhoto(photoId: string): Promise<SagaAttemptRecord[]> {
    const rows = await this.#sql.db
      .selectFrom('sagaAttempts')
      .selectAll()
      .where('photoId', '=', photoId)
      .orderBy('id')
      .execute();
    return rows as SagaAttemptRecord[];
  }
}
