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

/** A notification with its place in its recipient's stream. */
type Positioned = NewNotification & { position: number };

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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

  /**
   * Each batch takes its positions first, from its recipients' counters, in
   * recipient order (so two fan-outs to the same followers lock their rows
   * in the same order and never deadlock); the rows stay locked until the
   * caller's transaction commits. A notification dropped as a duplicate
   * leaves a gap in its recipient's positions, which streams step over.
   */
  async insertMany(notifications: readonly NewNotification[]): Promise<number> {
    const ordered = [...notifications].sort(
      (a, b) => compare(a.recipientId, b.recipientId) || compare(a.id, b.id),
    );
    let inserted = 0;
    for (let i = 0; i < ordered.length; i += INSERT_BATCH) {
      const batch = await this.#positioned(ordered.slice(i, i + INSERT_BATCH));
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

  /** Reserves positions for a batch ordered by recipient, and gives each notification its own. */
  async #positioned(batch: readonly NewNotification[]): Promise<Positioned[]> {
    const wanted = new Map<string, number>();
    for (const { recipientId } of batch)
      wanted.set(recipientId, (wanted.get(recipientId) ?? 0) + 1);
    const reserved = await this.#sql.db
      .insertInto('notificationCounters')
      .values([...wanted].map(([recipientId, count]) => ({ recipientId, lastPosition: count })))
      .onConflict((conflict) =>
        conflict.column('recipientId').doUpdateSet({
          lastPosition: sql`notification_counters.last_position + excluded.last_position`,
        }),
      )
      .returning(['recipientId', 'lastPosition'])
      .execute();
    // The first free position of each recipient, taken in id order below.
    const next = new Map(
      reserved.map((row) => [
        row.recipientId,
        Number(row.lastPosition) - (wanted.get(row.recipientId) as number) + 1,
      ]),
    );
    return batch.map((notification) => {
      const position = next.get(notification.recipientId) as number;
      next.set(notification.recipientId, position + 1);
      return { ...notification, position };
    });
  }

  /**
   * PostgreSQL: the batch as eight array parameters, unnested, instead of
   * 4,000 scalar ones: binding and planning a statement that size cost as
   * much as the inserts themselves (the fan-out bench, 10,000 followers).
   */
  async #insertArrays(batch: readonly Positioned[]): Promise<number> {
    const column = <K extends keyof Positioned>(key: K) => batch.map((n) => n[key]);
    const result = await sql`
      insert into notifications
        (id, recipient_id, kind, subject, actor_id, photo_id, created_at, position)
      select * from unnest(
        ${column('id')}::text[], ${column('recipientId')}::text[], ${column('kind')}::text[],
        ${column('subject')}::text[], ${column('actorId')}::text[], ${column('photoId')}::text[],
        ${column('createdAt')}::text[], ${column('position')}::integer[]
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

  async since(
    recipientId: string,
    afterPosition: number,
    limit: number,
  ): Promise<NotificationRecord[]> {
    const rows = await this.#select(recipientId, false)
      .where('n.position', '>', afterPosition)
      .orderBy('n.position')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async lastPosition(recipientId: string): Promise<number> {
    const row = await this.#sql.db
      .selectFrom('notificationCounters')
      .select('lastPosition')
      .where('recipientId', '=', recipientId)
      .executeTakeFirst();
    return Number(row?.lastPosition ?? 0);
  }

  async positionAfter(recipientId: string, id: string): Promise<number> {
    const own = await this.#sql.db
      .selectFrom('notifications')
      .select('position')
      .where('recipientId', '=', recipientId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (own) return Number(own.position);
    const newer = await this.#sql.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.min('position').as('first'))
      .where('recipientId', '=', recipientId)
      .where('id', '>', id)
      .executeTakeFirst();
    return newer?.first == null ? this.lastPosition(recipientId) : Number(newer.first) - 1;
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
  position: number;
  actorName: string | null;
}): NotificationRecord {
  const { actorName, ...rest } = row;
  return {
    ...rest,
    position: Number(row.position),
    actor: row.actorId && actorName ? { id: row.actorId, username: actorName } : null,
  };
}
