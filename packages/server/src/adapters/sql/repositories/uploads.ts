import type { UploadRecord, UploadRepository } from '../../../ports/metadata-store.ts';
import type { SqlContext } from './executor.ts';

export class SqlUploadRepository implements UploadRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async put(upload: UploadRecord): Promise<void> {
    await this.#sql.db
      .insertInto('uploads')
      .values(upload)
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet({
          state: upload.state,
          expiresAt: upload.expiresAt,
          ownerId: upload.ownerId,
        }),
      )
      .execute();
  }

  async byId(id: string): Promise<UploadRecord | undefined> {
    return this.#sql.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    await this.#sql.db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  async ids(): Promise<string[]> {
    const rows = await this.#sql.db.selectFrom('uploads').select('id').execute();
    return rows.map((row) => row.id);
  }

  async touch(id: string, expiresAt: string): Promise<void> {
    await this.#sql.db
      .updateTable('uploads')
      .set({ expiresAt })
      .where('id', '=', id)
      .where('expiresAt', 'is not', null)
      .execute();
  }

  async finish(id: string): Promise<void> {
    await this.#sql.db
      .updateTable('uploads')
      .set({ expiresAt: null })
      .where('id', '=', id)
      .execute();
  }

  async expiredBefore(at: string): Promise<UploadRecord[]> {
    return this.#sql.db
      .selectFrom('uploads')
      .selectAll()
      .where('expiresAt', 'is not', null)
      .where('expiresAt', '<', at)
      .execute();
  }
}
