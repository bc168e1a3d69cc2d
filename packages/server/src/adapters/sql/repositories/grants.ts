import type { GrantRecord, GrantRepository } from '../../../ports/metadata-store.ts';
import type { SqlContext } from './executor.ts';

export class SqlGrantRepository implements GrantRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async grant(sharerId: string, viewerId: string, at: string): Promise<void> {
    await this.#sql.db
      .insertInto('grants')
      .values({ sharerId, viewerId, createdAt: at })
      .onConflict((conflict) => conflict.columns(['sharerId', 'viewerId']).doNothing())
      .execute();
  }

  async revoke(sharerId: string, viewerId: string): Promise<boolean> {
    const result = await this.#sql.db
      .deleteFrom('grants')
      .where('sharerId', '=', sharerId)
      .where('viewerId', '=', viewerId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async exists(sharerId: string, viewerId: string): Promise<boolean> {
    const row = await this.#sql.db
      .selectFrom('grants')
      .select('sharerId')
      .where('sharerId', '=', sharerId)
      .where('viewerId', '=', viewerId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deleteInvolving(userId: string): Promise<{ sharerId: string; viewerId: string }[]> {
    return this.#sql.db
      .deleteFrom('grants')
      .where((eb) => eb.or([eb('sharerId', '=', userId), eb('viewerId', '=', userId)]))
      .returning(['sharerId', 'viewerId'])
      .execute();
  }

  #withUsers() {
    return this.#sql.db
      .selectFrom('grants')
      .innerJoin('users as sharer', 'sharer.id', 'grants.sharerId')
      .innerJoin('users as viewer', 'viewer.id', 'grants.viewerId')
      .select([
        'grants.sharerId',
        'grants.viewerId',
        'grants.createdAt',
        'sharer.username as sharerName',
        'viewer.username as viewerName',
      ]);
  }

  async bySharer(sharerId: string): Promise<GrantRecord[]> {
    const rows = await this.#withUsers()
      .where('grants.sharerId', '=', sharerId)
      .orderBy('viewer.username')
      .execute();
    return rows.map(toRecord);
  }

  async byViewer(viewerId: string): Promise<GrantRecord[]> {
    const rows = await this.#withUsers()
      .where('grants.viewerId', '=', viewerId)
      .orderBy('sharer.username')
      .execute();
    return rows.map(toRecord);
  }
}

function toRecord(row: {
  sharerId: string;
  viewerId: string;
  createdAt: string;
  sharerName: string;
  viewerName: string;
}): GrantRecord {
  return {
    sharer: { id: row.sharerId, username: row.sharerName },
    viewer: { id: row.viewerId, username: row.viewerName },
    createdAt: row.createdAt,
  };
}
