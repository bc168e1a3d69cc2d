import type { SagaStep } from '@flickr-kit/sdk/contract';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type {
  NewOutboxEvent,
  OutboxEvent,
  OutboxRepository,
} from '../../../ports/metadata-store.ts';
import type { OutboxTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

const toEvent = (row: Selectable<OutboxTable>): OutboxEvent => ({
  id: row.id,
  photoId: row.photoId,
  step: row.step as SagaStep,
  payload: JSON.parse(row.payload) as Record<string, unknown>,
  attempts: row.attempts,
  availableAt: row.availableAt,
  lastError: row.lastError,
  parkedAt: row.parkedAt,
  createdAt: row.createdAt,
});

export class SqlOutboxRepository implements OutboxRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async enqueue(event: NewOutboxEvent): Promise<void> {
    await this.#sql.db
      .insertInto('outbox')
      .values({ ...event, payload: JSON.stringify(event.payload) })
      .execute();
  }

  async claim(worker: string, now: string, leaseUntil: string): Promise<OutboxEvent | undefined> {
    const { db, dialect } = this.#sql;
    // One statement picks and leases the event, so two workers cannot both
    // win it. PostgreSQL skips rows another claim has locked; SQLite
    // serialises writers, so the subquery sees every committed lease.
    let due = db
      .selectFrom('outbox')
      .select('id')
      .where('parkedAt', 'is', null)
      .where('availableAt', '<=', now)
      .where((eb) => eb.or([eb('leaseUntil', 'is', null), eb('leaseUntil', '<', now)]))
      .orderBy('availableAt')
      .orderBy('id')
      .limit(1);
    if (dialect === 'postgres') due = due.modifyEnd(sql`for update skip locked`);
    const row = await db
      .updateTable('outbox')
      .set((eb) => ({ leaseOwner: worker, leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', (eb) => eb.selectFrom(due.as('due')).select('due.id'))
      .returningAll()
      .executeTakeFirst();
    return row && toEvent(row);
  }

  async renew(eventId: string, worker: string, leaseUntil: string): Promise<boolean> {
    const result = await this.#sql.db
      .updateTable('outbox')
      .set({ leaseUntil })
      .where('id', '=', eventId)
      .where('leaseOwner', '=', worker)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async complete(eventId: string, worker: string): Promise<boolean> {
    const result = await this.#sql.db
      .deleteFrom('outbox')
      .where('id', '=', eventId)
      .where('leaseOwner', '=', worker)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async retryLater(
    eventId: string,
    worker: string,
    error: string,
    availableAt: string,
  ): Promise<void> {
    await this.#sql.db
      .updateTable('outbox')
      .set({ lastError: error, availableAt, leaseOwner: null, leaseUntil: null })
      .where('id', '=', eventId)
      .where('leaseOwner', '=', worker)
      .execute();
  }

  async park(eventId: string, worker: string, error: string, at: string): Promise<boolean> {
    const result = await this.#sql.db
      .updateTable('outbox')
      .set({ lastError: error, parkedAt: at, leaseOwner: null, leaseUntil: null })
      .where('id', '=', eventId)
      .where('leaseOwner', '=', worker)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async unpark(photoId: string, now: string): Promise<number> {
    const result = await this.#sql.db
      .updateTable('outbox')
      .set({ parkedAt: null, availableAt: now, attempts: 0 })
      .where('photoId', '=', photoId)
      .where('parkedAt', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async forPhoto(photoId: string): Promise<OutboxEvent[]> {
    const rows = await this.#sql.db
      .selectFrom('outbox')
      .selectAll()
      .where('photoId', '=', photoId)
      .orderBy('id')
      .execute();
    return rows.map(toEvent);
  }

  async nextDueAt(): Promise<string | undefined> {
    const row = await this.#sql.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('availableAt').as('next'))
      .where('parkedAt', 'is', null)
      .executeTakeFirst();
    return row?.next ?? undefined;
  }
}
