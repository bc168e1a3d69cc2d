import type { ServerResponse } from 'node:http';
import { Id, type Notification, streamNotifications } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/errors.ts';
import type { NotificationService } from '../../domain/notifications.ts';
import { authorize, type Principal } from '../../domain/principal.ts';
import type { Doorbell } from '../../support/doorbell.ts';

const BATCH = 100;

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
      if (last !== undefined && !Id.safeParse(last).success)
        throw new DomainError(
          'bad_request',
          'Last-Event-ID must be the id of a notification this stream sent',
        );
    },
    handler: async (request, reply) => {
      const recipientId = (request.principal as Principal).user.id;
      const last = request.headers['last-event-id'] as string | undefined;
      // Positions are in commit order: resuming after the last one the client
      // saw misses nothing and repeats nothing.
      let cursor = await notifications.startPosition(recipientId, last);
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
          for (;;) {
            const batch = await notifications.since(recipientId, cursor, BATCH);
            for (const { position, notification } of batch) {
              raw.write(eventOf(notification));
              cursor = position;
              lastWrite = Date.now();
            }
            if (batch.length < BATCH) break;
          }
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
