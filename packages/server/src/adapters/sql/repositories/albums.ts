import type { AlbumRecord, AlbumRepository } from '../../../ports/metadata-store.ts';
import type { SqlContext } from './executor.ts';

export class SqlAlbumRepository implements AlbumRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async findOrCreate(album: AlbumRecord): Promise<AlbumRecord> {
    // Insert-or-ignore first, then read: two uploads naming a new album at once get the same one.
    await this.#sql.db
      .insertInto('albums')
      .values(album)
      .onConflict((conflict) => conflict.columns(['ownerId', 'name']).doNothing())
      .execute();
    return this.#sql.db
      .selectFrom('albums')
      .selectAll()
      .where('ownerId', '=', album.ownerId)
      .where('name', '=', album.name)
      .executeTakeFirstOrThrow();
  }

  async byId(id: string): Promise<AlbumRecord | undefined> {
    return this.#sql.db.selectFrom('albums').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
