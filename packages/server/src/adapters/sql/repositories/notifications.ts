import { type ExpressionBuilder, sql } from 'kysely';
import type {
  Keyset,
  NewNotification,
  NotificationRecord,
  NotificationRepository,
} from '../../../ports/metadata-store.ts';
import type { Database } from '../schema.ts';
import type { SqlContext } from './executor.ts';

/** Rows per insert: 8 parameters each stays far below SQLite's and PostgreSQL's limits. */
const INSERT_BATCH = 500;

type Scope = ExpressionBuilder<Database & { n: Database['notifications'] }, 'n'>;

/**
 * The access rule of domain/access.ts, as SQL: a notification about a photo
 * shows while its recipient may see the photo (theirs; or ready, not deleted,
 * and public on a public profile or shared with them). Evaluated on reading,
 * so a photo deleted or made private takes its notifications with it.
 */
function visible(eb: Scope) {
  return eb.or([
    eb('n.photoId', 'is', null),
    eb.exists(
      eb
        .selectFrom('photos as p')
        .innerJoin('users as owner', 'owner.id', 'p.ownerId')
        .select('p.id')
        .whereRef('p.id', '=', 'n.photoId')
        .where('p.deletedAt', 'is', null)
        .where((inner) =>
          inner.or([
            inner('p.ownerId', '=', inner.ref('n.recipientId')),
            inner.and([
              inner('p.status', '=', 'ready'),
              inner.or([
                inner.and([
                  inner('p.visibility', '=', 'public'),
                  inner('owner.profileVisibility', '=', 'public'),
                ]),
                inner.exists(
                  inner
                    .selectFrom('grants as g')
                    .select('g.viewerId')
                    .whereRef('g.sharerId', '=', 'p.ownerId')
                    .whereRef('g.viewerId', '=', 'n.recipientId'),
                ),
              ]),
            ]),
          ]),
        ),
    ),
  ]);
}

export class SqlNotificationRepository implements NotificationRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async insertMany(notifications: readonly NewNotification[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < notifications.length; i += INSERT_BATCH) {
      const batch = notifications.slice(i, i + INSERT_BATCH);
      if (this.#sql.dialect === 'postgres') {
        inserted += await this.#insertArrays(batch);
        continue;
      }
      const result = await this.#sql.db
        .insertInto('notifications')
        .values(batch.map((n) => ({ ...n, readAt: null })))
        .onConflict((conflict) => conflict.columns(['recipientId', 'kind', 'subject']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return inserted;
  }

  /**
   * PostgreSQL: the batch as seven array parameters, unnested, instead of
   * 3,500 scalar ones: binding and planning a statement that size cost as
   * much as the inserts themselves (the fan-out bench, 10,000 followers).
   */
  async #insertArrays(batch: readonly NewNotification[]): Promise<number> {
    const column = <K extends keyof NewNotification>(key: K) => batch.map((n) => n[key]);
    const result = await sql`
      insert into notifications (id, recipient_id, kind, subject, actor_id, photo_id, created_at)
      select * from unnest(
        ${column('id')}::text[], ${column('recipientId')}::text[], ${column('kind')}::text[],
        ${column('subject')}::text[], ${column('actorId')}::text[], ${column('photoId')}::text[],
        ${column('createdAt')}::text[]
      )
      on conflict (recipient_id, kind, subject) do nothing`.execute(this.#sql.db);
    return Number(result.numAffectedRows ?? 0);
  }

  #select(recipientId: string, unreadOnly: boolean) {
    let query = this.#sql.db
      .selectFrom('notifications as n')
      .leftJoin('users as actor', 'actor.id', 'n.actorId')
      .selectAll('n')
      .select('actor.username as actorName')
      .where('n.recipientId', '=', recipientId)
      .where(visible);
    if (unreadOnly) query = query.where('n.readAt', 'is', null);
    return query;
  }

  async list(
    recipientId: string,
    filter: { unreadOnly: boolean },
    keyset: Keyset,
  ): Promise<NotificationRecord[]> {
    let query = this.#select(recipientId, filter.unreadOnly);
    if (keyset.after) query = query.where('n.id', '<', keyset.after);
    if (keyset.before) query = query.where('n.id', '>', keyset.before);
    const rows = await query
      .orderBy('n.id', keyset.before ? 'asc' : 'desc')
      .limit(keyset.limit + 1)
      .execute();
    if (keyset.before) rows.reverse();
    return rows.map(toRecord);
  }

  async existsBeyond(
    recipientId: string,
    filter: { unreadOnly: boolean },
    id: string,
    direction: 'newer' | 'older',
  ): Promise<boolean> {
    const row = await this.#select(recipientId, filter.unreadOnly)
      .where('n.id', direction === 'newer' ? '>' : '<', id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async since(recipientId: string, afterId: string, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.#select(recipientId, false)
      .where('n.id', '>', afterId)
      .orderBy('n.id')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async countUnread(recipientId: string): Promise<number> {
    const row = await this.#sql.db
      .selectFrom('notifications as n')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('n.recipientId', '=', recipientId)
      .where('n.readAt', 'is', null)
      .where(visible)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async countAbout(kind: string, subject: string): Promise<number> {
    const row = await this.#sql.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async byId(recipientId: string, id: string): Promise<NotificationRecord | undefined> {
    const row = await this.#select(recipientId, false).where('n.id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async deleteInvolving(userId: string): Promise<void> {
    await this.#sql.db
      .deleteFrom('notifications')
      .where((eb) => eb.or([eb('recipientId', '=', userId), eb('actorId', '=', userId)]))
      .execute();
  }

  async markRead(
    recipientId: string,
    at: string,
    scope: { id?: string; upTo?: string },
  ): Promise<number> {
    let query = this.#sql.db
      .updateTable('notifications')
      .set({ readAt: at })
      .where('recipientId', '=', recipientId)
      .where('readAt', 'is', null);
    if (scope.id) query = query.where('id', '=', scope.id);
    if (scope.upTo) query = query.where('id', '<=', scope.upTo);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toRecord(row: {
  id: string;
  recipientId: string;
  kind: string;
  subject: string;
  actorId: string | null;
  photoId: string | null;
  createdAt: string;
  readAt: string | null;
  actorName: string | null;
}): NotificationRecord {
  const { actorName, ...rest } = row;
  return {
    ...rest,
    actor: row.actorId && actorName ? { id: row.actorId, username: actorName } : null,
  };
}
