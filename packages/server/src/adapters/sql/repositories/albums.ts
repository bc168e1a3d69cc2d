import type { AlbumRecord, AlbumRepository } from '../../../ports/metadata-store.ts';
import { isUniqueViolation, type SqlContext } from './executor.ts';

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

  async byIds(ids: readonly string[]): Promise<AlbumRecord[]> {
    if (ids.length === 0) return [];
    return this.#sql.db
      .selectFrom('albums')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
  }

  async insert(album: AlbumRecord): Promise<boolean> {
    try {
      await this.#sql.db.insertInto('albums').values(album).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async listForOwner(ownerId: string): Promise<AlbumRecord[]> {
    return this.#sql.db
      .selectFrom('albums')
      .selectAll()
      .where('ownerId', '=', ownerId)
      .orderBy('name')
      .execute();
  }

  async rename(id: string, name: string): Promise<boolean> {
    try {
      await this.#sql.db.updateTable('albums').set({ name }).where('id', '=', id).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    // Explicit rather than relying on ON DELETE SET NULL, which SQLite skips when foreign keys are off.
    await this.#sql.db
      .updateTable('photos')
      .set({ albumId: null })
      .where('albumId', '=', id)
      .execute();
    await this.#sql.db.deleteFrom('albums').where('id', '=', id).execute();
  }

  async deleteAllOf(ownerId: string): Promise<void> {
    await this.#sql.db
      .updateTable('photos')
      .set({ albumId: null })
      .where('ownerId', '=', ownerId)
      .where('albumId', 'is not', null)
      .execute();
    await this.#sql.db.deleteFrom('albums').where('ownerId', '=', ownerId).execute();
  }
}
