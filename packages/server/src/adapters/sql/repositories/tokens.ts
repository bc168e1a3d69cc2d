import type { Scope } from '@flickr-kit/sdk/contract';
import type { TokenRecord, TokenRepository } from '../../../ports/metadata-store.ts';
import type { TokensTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

const toRecord = (row: TokensTable): TokenRecord => ({
  ...row,
  scopes: row.scopes.split(',').filter(Boolean) as Scope[],
});

export class SqlTokenRepository implements TokenRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insert(token: TokenRecord): Promise<void> {
    await this.#sql.db
      .insertInto('tokens')
      .values({ ...token, scopes: token.scopes.join(',') })
      .execute();
  }

  async byId(id: string): Promise<TokenRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async listForUser(userId: string): Promise<TokenRecord[]> {
    const rows = await this.#sql.db
      .selectFrom('tokens')
      .selectAll()
      .where('userId', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  async delete(userId: string, tokenId: string): Promise<boolean> {
    const result = await this.#sql.db
      .deleteFrom('tokens')
      .where('id', '=', tokenId)
      .where('userId', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteAllOf(userId: string): Promise<string[]> {
    const rows = await this.#sql.db
      .deleteFrom('tokens')
      .where('userId', '=', userId)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async touch(tokenId: string, at: string): Promise<void> {
    await this.#sql.db
      .updateTable('tokens')
      .set({ lastUsedAt: at })
      .where('id', '=', tokenId)
      .execute();
  }
}
