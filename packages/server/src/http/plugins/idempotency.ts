import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';
import type { Cache } from '../../ports/cache.ts';

/** How long a response is kept for replay: long enough for any client's retries. */
const KEEP_MS = 24 * 3_600_000;
/** A request still running after this is presumed dead (its process crashed): the key is free again. */
const PENDING_MS = 60_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

type Stored =
  | { state: 'pending'; fingerprint: string }
  | {
      state: 'done';
      fingerprint: string;
      status: number;
      contentType: string | undefined;
      body: string;
    };

const keyOf = (userId: string, key: string) => `idempotency:${userId}:${key}`;

/**
 * `Idempotency-Key` on POST, PATCH and DELETE: the first response to a key
 * is kept (per user, for a day) and replayed to any retry with the same
 * key, so a retry after a lost response cannot create a second token,
 * album or grant. The same key on a different request, or while the first
 * is still running, is a 409.
 */
export const idempotency = fp(
  async (app: FastifyInstance, { cache }: { cache: Cache }) => {
    app.addHook('preHandler', async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (
        typeof key !== 'string' ||
        !['POST', 'PATCH', 'DELETE'].includes(request.method) ||
        !request.principal
      )
        return;
      if (!KEY.test(key))
        throw new DomainError(
          'bad_request',
          'Idempotency-Key must be 1-255 printable ASCII characters',
        );
      const id = keyOf(request.principal.user.id, key);
      const fingerprint = `${request.method} ${request.url}`;
      const stored = await cache.get<Stored>(id);
      if (stored && stored.fingerprint !== fingerprint) {
        throw new DomainError('conflict', 'This Idempotency-Key was used for a different request');
      }
      if (stored?.state === 'pending') {
        throw new DomainError(
          'conflict',
          'A request with this Idempotency-Key is still running: retry shortly',
          { retryAfterSeconds: 1 },
        );
      }
      if (stored?.state === 'done') {
        reply.header('idempotent-replayed', 'true');
        if (stored.contentType) reply.type(stored.contentType);
        return reply
          .code(stored.status)
          .serializer((body: unknown) => String(body))
          .send(stored.body);
      }
      await cache.set<Stored>(id, { state: 'pending', fingerprint }, PENDING_MS);
      request.idempotencyKey = id;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const id = request.idempotencyKey;
      if (!id) return payload;
      // Server errors are not kept: the client should be able to retry them for real.
      if (
        reply.statusCode >= 500 ||
        (typeof payload !== 'string' && payload !== null && payload !== undefined)
      ) {
        await cache.delete(id);
        return payload;
      }
      const contentType = reply.getHeader('content-type');
      await cache.set<Stored>(
        id,
        {
          state: 'done',
          fingerprint: `${request.method} ${request.url}`,
          status: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : undefined,
          body: payload ?? '',
        },
        KEEP_MS,
      );
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['authentication'] },
);

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when this request's response is to be kept under an idempotency key. */
    idempotencyKey?: string;
  }
}
