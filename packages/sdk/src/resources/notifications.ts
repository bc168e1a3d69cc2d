import {
  countUnreadNotifications,
  listNotifications,
  markNotificationRead,
  markNotificationsRead,
  NOTIFICATION_STREAM_PATH,
  Notification,
} from '../contract/notifications.ts';
import { PageIterator } from '../core/pagination.ts';
import { retryDelay, sleep } from '../core/retry.ts';
import { serverSentEvents } from '../core/server-sent-events.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { ApiError, ResponseValidationError } from '../errors.ts';

export interface NotificationListQuery {
  /** Notifications per page (default 100, at most 100). */
  limit?: number;
  after?: string;
  before?: string;
  /** Only unread ones. */
  unread?: boolean;
}

export interface NotificationStreamOptions {
  signal?: AbortSignal;
  /** Resume after this notification id (the last one you handled), as `Last-Event-ID`. */
  lastEventId?: string;
  /**
   * A connection that carries nothing (no event, no heartbeat) for this long
   * is taken for dead and replaced (default 45 s: three server heartbeats).
   */
  idleTimeoutMs?: number;
  /** Reconnections in a row that may fail before the stream throws (default: no limit). */
  maxReconnects?: number;
  /** Told of each reconnection, with the error that ended the last connection, if any. */
  onReconnect?: (info: {
    attempt: number;
    lastEventId: string | undefined;
    error?: unknown;
  }) => void;
}

/**
 * Ids handled lately. Our server resumes exactly, but a stream resumed after
 * a notification purged meanwhile, or an older server, may repeat some.
 */
class RecentIds {
  readonly #ids = new Set<string>();
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  /** Whether the id is new; remembers it. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#limit) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }
}

/** A stream request is held open as long as events flow: no attempt timeout applies. */
const NO_TIMEOUT = 2 ** 31 - 1;

/** Refusals that another attempt cannot change: a bad token, a missing scope, a bad id. */
const isFinal = (error: unknown) =>
  error instanceof ApiError &&
  error.status >= 400 &&
  error.status < 500 &&
  ![408, 429].includes(error.status);

/** Your notifications: listing, counting, marking read, and the live stream. */
export class Notifications {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Newest first. */
  list(query: NotificationListQuery = {}, options?: RequestOptions): PageIterator<Notification> {
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          listNotifications,
          {
            query: {
              limit: query.limit ?? 100,
              ...(query.unread ? { unread: 'true' } : {}),
              ...cursor,
            },
          },
          options,
        ),
      {
        ...(query.after ? { after: query.after } : {}),
        ...(query.before ? { before: query.before } : {}),
      },
    );
  }

  async unreadCount(options?: RequestOptions): Promise<number> {
    return (await this.#transport.call(countUnreadNotifications, {}, options)).unread;
  }

  /** Marks one read (idempotent). */
  markRead(id: string, options?: RequestOptions) {
    return this.#transport.call(markNotificationRead, { params: { id } }, options);
  }

  /** Marks every notification read, or those up to `upTo` (it and all older); returns how many were unread. */
  async markAllRead(upTo?: string, options?: RequestOptions): Promise<number> {
    return (
      await this.#transport.call(markNotificationsRead, { body: upTo ? { upTo } : {} }, options)
    ).marked;
  }

  /**
   * Notifications as they arrive, over Server-Sent Events. When the
   * connection drops (or the server restarts) it reconnects with
   * `Last-Event-ID`, so nothing is missed, and drops what it already gave
   * you. Ends when `signal` aborts; throws when the server refuses the
   * stream (a bad token, say) or `maxReconnects` reconnections in a row fail.
   *
   * @example
   * for await (const n of client.notifications.stream({ signal })) console.log(n.kind, n.photoId);
   */
  async *stream(options: NotificationStreamOptions = {}): AsyncGenerator<Notification> {
    const seen = new RecentIds(10_000);
    const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
    let lastEventId = options.lastEventId;
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) return;
      const connection = new AbortController();
      const signal = options.signal
        ? AbortSignal.any([options.signal, connection.signal])
        : connection.signal;
      const watchdog = setTimeout(() => connection.abort(), idleTimeoutMs);
      watchdog.unref();
      let ended: unknown;
      try {
        const response = await this.#transport.send(
          NOTIFICATION_STREAM_PATH,
          {
            method: 'GET',
            headers: {
              accept: 'text/event-stream',
              ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
            },
          },
          { signal, timeout: NO_TIMEOUT, maxRetries: 0 },
        );
        failures = 0;
        watchdog.refresh();
        if (!response.body)
          throw new ResponseValidationError('The stream answered without a body', []);
        for await (const event of serverSentEvents(response.body, () => watchdog.refresh())) {
          if (event.event !== 'notification') continue;
          const parsed = Notification.safeParse(JSON.parse(event.data));
          if (!parsed.success)
            throw new ResponseValidationError(
              'A notification event does not match this SDK’s contract',
              parsed.error.issues,
            );
          lastEventId = event.id ?? parsed.data.id;
          if (seen.add(parsed.data.id)) yield parsed.data;
        }
      } catch (error) {
        if (options.signal?.aborted) return;
        if (isFinal(error) || error instanceof ResponseValidationError) throw error;
        ended = error;
        failures++;
        if (options.maxReconnects !== undefined && failures > options.maxReconnects) throw error;
      } finally {
        clearTimeout(watchdog);
      }
      options.onReconnect?.({
        attempt: attempt + 1,
        lastEventId,
        ...(ended === undefined ? {} : { error: ended }),
      });
      try {
        await sleep(failures === 0 ? 100 : retryDelay(failures), options.signal);
      } catch {
        return;
      }
    }
  }
}
