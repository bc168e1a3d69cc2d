import type { Selectable } from 'kysely';
import type { UserRecord, UserRepository } from '../../../ports/metadata-store.ts';
import type { UsersTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

const toRecord = (row: Selectable<UsersTable>): UserRecord => ({
  ...row,
  isAdmin: row.isAdmin === 1,
});

export class SqlUserRepository implements UserRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insert(user: UserRecord): Promise<void> {
    await this.#sql.db
      .insertInto('users')
      .values({ ...user, isAdmin: user.isAdmin ? 1 : 0 })
      .execute();
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async byIds(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.#sql.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', ids)
      .execute();
    return rows.map(toRecord);
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async usernameTaken(username: string): Promise<boolean> {
    const row = await this.#sql.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    return row !== undefined;
  }

  async lockLive(id: string): Promise<boolean> {
    let query = this.#sql.db.selectFrom('users').select('deletedAt').where('id', '=', id);
    // SQLite write transactions begin immediate: there is one writer at a time already.
    if (this.#sql.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row !== undefined && row.deletedAt === null;
  }

  async markDeleted(id: string, at: string): Promise<void> {
    await this.#sql.db
      .updateTable('users')
      .set({ deletedAt: at, passwordHash: '', isAdmin: 0 })
      .where('id', '=', id)
      .execute();
  }

  async setProfileVisibility(id: string, visibility: 'public' | 'private'): Promise<void> {
    await this.#sql.db
      .updateTable('users')
      .set({ profileVisibility: visibility })
      .where('id', '=', id)
      .execute();
  }
}
