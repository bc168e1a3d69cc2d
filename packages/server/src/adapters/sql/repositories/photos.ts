import type { SelectQueryBuilder } from 'kysely';
import type {
  Keyset,
  PhotoFilter,
  PhotoRecord,
  PhotoRepository,
  RenditionRecord,
} from '../../../ports/metadata-store.ts';
import type { Database, PhotosTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

/** A row of the `photos` table as the record the domain reads (favorites read photos too). */
export const toRecord = (row: PhotosTable): PhotoRecord => ({
  ...row,
  tags: JSON.parse(row.tags) as string[],
  // Search reads its rows through raw SQL, which types nothing: compare as numbers.
  commentsEnabled: Number(row.commentsEnabled) === 1,
  locationEdited: Number(row.locationEdited) === 1,
});

/**
 * Whether a filter's two rules on the status column contradict each other:
 * `readyOnly` with another `status` (a stranger asking for failed photos)
 * matches no photo, and is answered without a query.
 */
const matchesNothing = (filter: PhotoFilter) =>
  filter.readyOnly && filter.status !== undefined && filter.status !== 'ready';

type PhotoChanges = Partial<Omit<PhotoRecord, 'id' | 'ownerId' | 'sha256'>>;

const toRow = (changes: PhotoChanges): Partial<PhotosTable> => {
  const { tags, commentsEnabled, locationEdited, ...rest } = changes;
  return {
    ...rest,
    ...(tags === undefined ? {} : { tags: JSON.stringify(tags) }),
    ...(commentsEnabled === undefined ? {} : { commentsEnabled: commentsEnabled ? 1 : 0 }),
    ...(locationEdited === undefined ? {} : { locationEdited: locationEdited ? 1 : 0 }),
  };
};

export class SqlPhotoRepository implements PhotoRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insertUnlessDuplicate(
    photo: PhotoRecord,
  ): Promise<{ photo: PhotoRecord; inserted: boolean }> {
    // ON CONFLICT rather than catching the violation: on PostgreSQL a failed
    // statement aborts the whole transaction it runs in, and the pivot's does more.
    const inserted = await this.#sql.db
      .insertInto('photos')
      .values(toRow(photo) as PhotosTable)
      .onConflict((conflict) =>
        conflict.columns(['ownerId', 'sha256']).where('deletedAt', 'is', null).doNothing(),
      )
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { photo, inserted: true };
    const winner = await this.#live(photo.ownerId, photo.sha256);
    if (!winner) throw new Error(`photo ${photo.id} neither inserted nor found`);
    return { photo: winner, inserted: false };
  }

  async #live(ownerId: string, sha256: string): Promise<PhotoRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('photos')
      .selectAll()
      .where('ownerId', '=', ownerId)
      .where('sha256', '=', sha256)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async byId(id: string): Promise<PhotoRecord | undefined> {
    const row = await this.#sql.db
      .selectFrom('photos')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async byHashes(ownerId: string, sha256: readonly string[]): Promise<PhotoRecord[]> {
    if (sha256.length === 0) return [];
    const rows = await this.#sql.db
      .selectFrom('photos')
      .selectAll()
      .where('ownerId', '=', ownerId)
      .where('sha256', 'in', [...sha256])
      .where('deletedAt', 'is', null)
      .execute();
    return rows.map(toRecord);
  }

  async deleteAllOf(ownerId: string, at: string): Promise<number> {
    const result = await this.#sql.db
      .updateTable('photos')
      .set({ deletedAt: at, updatedAt: at })
      .where('ownerId', '=', ownerId)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async countLive(ownerId: string): Promise<number> {
    const { count } = await this.#sql.db
      .selectFrom('photos')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('ownerId', '=', ownerId)
      .where('deletedAt', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async update(id: string, changes: PhotoChanges): Promise<void> {
    await this.#sql.db.updateTable('photos').set(toRow(changes)).where('id', '=', id).execute();
  }

  async renditions(photoId: string): Promise<RenditionRecord[]> {
    return (await this.renditionsOf([photoId])).get(photoId) ?? [];
  }

  async renditionsOf(photoIds: readonly string[]): Promise<Map<string, RenditionRecord[]>> {
    const byPhoto = new Map<string, RenditionRecord[]>();
    if (photoIds.length === 0) return byPhoto;
    const rows = await this.#sql.db
      .selectFrom('renditions')
      .selectAll()
      .where('photoId', 'in', [...photoIds])
      .orderBy('width')
      .execute();
    for (const row of rows) {
      const list = byPhoto.get(row.photoId);
      if (list) list.push(row);
      else byPhoto.set(row.photoId, [row]);
    }
    return byPhoto;
  }

  async putRenditions(photoId: string, renditions: readonly RenditionRecord[]): Promise<void> {
    await this.#sql.db.deleteFrom('renditions').where('photoId', '=', photoId).execute();
    if (renditions.length > 0)
      await this.#sql.db
        .insertInto('renditions')
        .values([...renditions])
        .execute();
  }

  #filtered(filter: PhotoFilter): SelectQueryBuilder<Database, 'photos', object> {
    let query = this.#sql.db.selectFrom('photos').where('deletedAt', 'is', null);
    if (filter.ownerId) query = query.where('ownerId', '=', filter.ownerId);
    if (filter.albumId) query = query.where('albumId', '=', filter.albumId);
    if (filter.readyOnly) query = query.where('status', '=', 'ready');
    if (filter.publicOnly) query = query.where('visibility', '=', 'public');
    if (filter.status) query = query.where('status', '=', filter.status);
    return query;
  }

  async list(filter: PhotoFilter, keyset: Keyset): Promise<PhotoRecord[]> {
    if (matchesNothing(filter)) return [];
    let query = this.#filtered(filter).selectAll();
    if (keyset.before) {
      // Walking backwards: the nearest newer ids first, then back into newest-first order.
      const rows = await query
        .where('id', '>', keyset.before)
        .orderBy('id', 'asc')
        .limit(keyset.limit + 1)
        .execute();
      return rows.reverse().map(toRecord);
    }
    if (keyset.after) query = query.where('id', '<', keyset.after);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(keyset.limit + 1)
      .execute();
    return rows.map(toRecord);
  }

  async existsBeyond(
    filter: PhotoFilter,
    id: string,
    direction: 'newer' | 'older',
  ): Promise<boolean> {
    if (matchesNothing(filter)) return false;
    // The nearest matching row beyond `id`, and no more. Ordered so that the
    // planner walks an index from `id` and stops at the first match: (owner,
    // id) or (album, id), or (owner, status, id) or (album, status, id) when
    // the filter fixes a status (`readyOnly` or `status`). Unordered,
    // PostgreSQL picked a sequential scan as soon as half the rows matched,
    // and mid-listing, where they all lie at one end of the table, that scan
    // read ~50,000 rows (14 ms a page).
    const row = await this.#filtered(filter)
      .select('id')
      .where('id', direction === 'newer' ? '>' : '<', id)
      .orderBy('id', direction === 'newer' ? 'asc' : 'desc')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deletedBefore(at: string, limit: number): Promise<PhotoRecord[]> {
    const rows = await this.#sql.db
      .selectFrom('photos')
      .selectAll()
      .where('deletedAt', 'is not', null)
      .where('deletedAt', '<', at)
      .orderBy('deletedAt')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async purge(id: string): Promise<void> {
    await this.#sql.db.deleteFrom('renditions').where('photoId', '=', id).execute();
    await this.#sql.db.deleteFrom('outbox').where('photoId', '=', id).execute();
    // Its comments and favorites go with it, by their foreign keys.
    await this.#sql.db.deleteFrom('photos').where('id', '=', id).execute();
  }
}
