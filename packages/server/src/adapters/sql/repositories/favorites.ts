import type { SelectQueryBuilder } from 'kysely';
import type {
  FavoriteRecord,
  FavoriteRepository,
  Keyset,
  SeenBy,
} from '../../../ports/metadata-store.ts';
import type { Database } from '../schema.ts';
import type { SqlContext } from './executor.ts';
import { toRecord as toPhotoRecord } from './photos.ts';

export class SqlFavoriteRepository implements FavoriteRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async add(favorite: {
    id: string;
    userId: string;
    photoId: string;
    createdAt: string;
  }): Promise<boolean> {
    // ON CONFLICT rather than catching the violation: on PostgreSQL a failed
    // statement aborts the transaction. A concurrent twin waits on the key
    // until the first commits, then inserts nothing, and so counts nothing.
    const inserted = await this.#sql.db
      .insertInto('favorites')
      .values(favorite)
      .onConflict((conflict) => conflict.columns(['userId', 'photoId']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await this.#count(favorite.photoId, 1);
    return true;
  }

  async remove(userId: string, photoId: string): Promise<boolean> {
    const removed = await this.#sql.db
      .deleteFrom('favorites')
      .where('userId', '=', userId)
      .where('photoId', '=', photoId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) return false;
    await this.#count(photoId, -1);
    return true;
  }

  async #count(photoId: string, delta: 1 | -1): Promise<void> {
    await this.#sql.db
      .updateTable('photos')
      .set((eb) => ({ favoriteCount: eb('favoriteCount', '+', delta) }))
      .where('id', '=', photoId)
      .execute();
  }

  async removeAllOf(userId: string): Promise<void> {
    // Uncount first, while the rows still say which photos they count on.
    await this.#sql.db
      .updateTable('photos')
      .set((eb) => ({ favoriteCount: eb('favoriteCount', '-', 1) }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('favorites')
          .select('favorites.photoId')
          .where('favorites.userId', '=', userId),
      )
      .execute();
    await this.#sql.db.deleteFrom('favorites').where('userId', '=', userId).execute();
  }

  async favoritedAmong(userId: string, photoIds: readonly string[]): Promise<Set<string>> {
    if (photoIds.length === 0) return new Set();
    const rows = await this.#sql.db
      .selectFrom('favorites')
      .select('photoId')
      .where('userId', '=', userId)
      .where('photoId', 'in', [...photoIds])
      .execute();
    return new Set(rows.map((row) => row.photoId));
  }

  /**
   * The user's favorites of photos they may see: domain/access.ts `canSee`
   * as SQL. Not deleted; then any photo for an administrator or the owner,
   * and for anyone else a ready photo that is public or whose owner granted
   * them access (test/favorites.test.ts holds the two to one answer).
   */
  #visible(seenBy: SeenBy): SelectQueryBuilder<Database, 'favorites' | 'photos', object> {
    let query = this.#sql.db
      .selectFrom('favorites')
      .innerJoin('photos', 'photos.id', 'favorites.photoId')
      .where('favorites.userId', '=', seenBy.userId)
      .where('photos.deletedAt', 'is', null);
    if (!seenBy.isAdmin)
      query = query.where((eb) =>
        eb.or([
          eb('photos.ownerId', '=', seenBy.userId),
          eb.and([
            eb('photos.status', '=', 'ready'),
            eb.or([
              eb('photos.visibility', '=', 'public'),
              eb.exists(
                eb
                  .selectFrom('grants')
                  .select('grants.sharerId')
                  .whereRef('grants.sharerId', '=', 'photos.ownerId')
                  .where('grants.viewerId', '=', seenBy.userId),
              ),
            ]),
          ]),
        ]),
      );
    return query;
  }

  async list(seenBy: SeenBy, keyset: Keyset): Promise<FavoriteRecord[]> {
    let query = this.#visible(seenBy)
      .selectAll('photos')
      .select(['favorites.id as favoriteId', 'favorites.createdAt as favoritedAt']);
    const toFavorite = ({
      favoriteId,
      favoritedAt,
      ...photo
    }: Awaited<ReturnType<typeof query.execute>>[number]): FavoriteRecord => ({
      id: favoriteId,
      favoritedAt,
      photo: toPhotoRecord(photo),
    });
    // Newest first: the most recently added favorite has the highest id.
    if (keyset.before) {
      const rows = await query
        .where('favorites.id', '>', keyset.before)
        .orderBy('favorites.id', 'asc')
        .limit(keyset.limit + 1)
        .execute();
      return rows.reverse().map(toFavorite);
    }
    if (keyset.after) query = query.where('favorites.id', '<', keyset.after);
    const rows = await query
      .orderBy('favorites.id', 'desc')
      .limit(keyset.limit + 1)
      .execute();
    return rows.map(toFavorite);
  }

  async existsBeyond(seenBy: SeenBy, id: string, direction: 'newer' | 'older'): Promise<boolean> {
    const row = await this.#visible(seenBy)
      .select('favorites.id')
      .where('favorites.id', direction === 'newer' ? '>' : '<', id)
      .orderBy('favorites.id', direction === 'newer' ? 'asc' : 'desc')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
