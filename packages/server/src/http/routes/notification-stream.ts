import type { ServerResponse } from 'node:http';
import { type Notification, streamNotifications } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import type { NotificationService } from '../../domain/notifications.ts';
import { authorize, type Principal } from '../../domain/principal.ts';
import type { Doorbell } from '../../support/doorbell.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ZERO_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Notification ids are time-ordered, but two writers commit out of id order
 * now and then (a fan-out batch that started first commits last). A stream
 * therefore looks this far below the newest id it sent, and skips what it
 * has sent already; a resumed stream sends that margin again, so delivery is
 * at least once and clients dedupe by id (the SDK does).
 */
const LOOKBACK_MS = 2_000;
const BATCH = 100;

/** The smallest UUIDv7 of an instant: ids at or after it were made at or after it. */
const lowestIdAt = (ms: number): string => {
  const hex = Math.max(0, ms).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`;
};
const timeOf = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

export interface NotificationStreamOptions {
  notifications: NotificationService;
  wakeup: Doorbell;
  pollMs: number;
  heartbeatMs: number;
}

const eventOf = (notification: Notification) =>
  `event: notification\nid: ${notification.id}\ndata: ${JSON.stringify(notification)}\n\n`;

/**
 * `GET /v1/notifications/stream`: Server-Sent Events. The table is the
 * source of truth, so any API process streams what any process wrote: each
 * stream polls its user's notifications (one index range above its cursor)
 * every `pollMs`, and at once when this process committed one. On close the
 * server ends every stream first, so graceful shutdown never waits on them.
 */
export async function notificationStreamRoutes(
  app: FastifyInstance,
  { notifications, wakeup, pollMs, heartbeatMs }: NotificationStreamOptions,
) {
  const open = new Set<AbortController>();
  app.addHook('preClose', (done) => {
    for (const stream of open) stream.abort();
    done();
  });

  app.route({
    method: 'GET',
    url: streamNotifications.path,
    preHandler: async (request) => {
      authorize(request.principal, streamNotifications.access);
      const last = request.headers['last-event-id'];
      if (last !== undefined && !UUID.test(String(last)))
        throw new DomainError(
          'bad_request',
          'Last-Event-ID must be the id of a notification this stream sent',
        );
    },
    handler: async (request, reply) => {
      const recipientId = (request.principal as Principal).user.id;
      const last = request.headers['last-event-id'] as string | undefined;
      // A fresh stream starts at the newest notification: what came before is in the list.
      let cursor = last ?? (await notifications.newestId(recipientId)) ?? ZERO_ID;
      const sent = new Set<string>();
      // A fresh stream owes nothing at or below its start, margin included.
      if (!last && cursor !== ZERO_ID)
        for (const known of await notifications.since(
          recipientId,
          lowestIdAt(timeOf(cursor) - LOOKBACK_MS),
          BATCH,
        ))
          if (known.id <= cursor) sent.add(known.id);
      const stream = new AbortController();
      open.add(stream);
      reply.hijack();
      const raw: ServerResponse = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      raw.write(`retry: 1000\n\n`);
      const end = () => stream.abort();
      raw.on('close', end);
      let lastWrite = Date.now();
      try {
        while (!stream.signal.aborted) {
          const floor = lowestIdAt(timeOf(cursor) - LOOKBACK_MS);
          let from = cursor === ZERO_ID ? ZERO_ID : floor;
          for (;;) {
            const batch = await notifications.since(recipientId, from, BATCH);
            for (const notification of batch) {
              if (sent.has(notification.id)) continue;
              raw.write(eventOf(notification));
              sent.add(notification.id);
              lastWrite = Date.now();
              if (notification.id > cursor) cursor = notification.id;
            }
            if (batch.length < BATCH) break;
            from = (batch.at(-1) as Notification).id;
          }
          for (const id of sent) if (timeOf(id) < timeOf(cursor) - 2 * LOOKBACK_MS) sent.delete(id);
          if (Date.now() - lastWrite >= heartbeatMs) {
            raw.write(': heartbeat\n\n');
            lastWrite = Date.now();
          }
          await wakeup.wait(Math.min(pollMs, heartbeatMs), stream.signal);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'notification stream failed; the client will reconnect');
      } finally {
        open.delete(stream);
        raw.off('close', end);
        raw.end();
      }
    },
  });
}
