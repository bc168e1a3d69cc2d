import type {
  CommentRecord,
  CommentRepository,
  Keyset,
  ListOrder,
} from '../../../ports/metadata-store.ts';
import type { SqlContext } from './executor.ts';

interface CommentRow {
  id: string;
  photoId: string;
  authorId: string;
  authorName: string;
  text: string;
  createdAt: string;
  editedAt: string | null;
}

const toRecord = ({ authorId, authorName, ...row }: CommentRow): CommentRecord => ({
  ...row,
  author: { id: authorId, username: authorName },
});

export class SqlCommentRepository implements CommentRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insert(comment: {
    id: string;
    photoId: string;
    authorId: string;
    text: string;
    createdAt: string;
  }): Promise<void> {
    await this.#sql.db
      .insertInto('comments')
      .values({ ...comment, editedAt: null })
      .execute();
  }

  #withAuthors() {
    return this.#sql.db
      .selectFrom('comments')
      .innerJoin('users', 'users.id', 'comments.authorId')
      .select([
        'comments.id',
        'comments.photoId',
        'comments.authorId',
        'users.username as authorName',
        'comments.text',
        'comments.createdAt',
        'comments.editedAt',
      ]);
  }

  async byId(id: string): Promise<CommentRecord | undefined> {
    const row = await this.#withAuthors().where('comments.id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async edit(id: string, text: string, at: string): Promise<void> {
    await this.#sql.db
      .updateTable('comments')
      .set({ text, editedAt: at })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.#sql.db.deleteFrom('comments').where('id', '=', id).execute();
  }

  async list(photoId: string, keyset: Keyset, order: ListOrder): Promise<CommentRecord[]> {
    // Ids grow with time: the list's end lies at higher ids oldest first, lower ones newest first.
    const towardsEnd = order === 'oldest' ? 'asc' : 'desc';
    const towardsStart = order === 'oldest' ? 'desc' : 'asc';
    let query = this.#withAuthors().where('comments.photoId', '=', photoId);
    if (keyset.before) {
      // Walking back: the nearest rows before the key first, then into the list's order.
      const rows = await query
        .where('comments.id', order === 'oldest' ? '<' : '>', keyset.before)
        .orderBy('comments.id', towardsStart)
        .limit(keyset.limit + 1)
        .execute();
      return rows.reverse().map(toRecord);
    }
    if (keyset.after)
      query = query.where('comments.id', order === 'oldest' ? '>' : '<', keyset.after);
    const rows = await query
      .orderBy('comments.id', towardsEnd)
      .limit(keyset.limit + 1)
      .execute();
    return rows.map(toRecord);
  }

  async existsBeyond(photoId: string, id: string, direction: 'newer' | 'older'): Promise<boolean> {
    // Ordered, so that the (photo, id) index is walked from `id` to the first row and no further.
    const row = await this.#sql.db
      .selectFrom('comments')
      .select('id')
      .where('photoId', '=', photoId)
      .where('id', direction === 'newer' ? '>' : '<', id)
      .orderBy('id', direction === 'newer' ? 'asc' : 'desc')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
