import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';
import type { Cache } from '../../ports/cache.ts';
import { requestFingerprint } from '../request-fingerprint.ts';

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

/** A key this request holds while it runs, to store its response under. */
interface Claim {
  id: string;
  fingerprint: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honour `Idempotency-Key` on this route (after the route's own checks: access first). */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    /** Set while this request holds an idempotency key its response is to be kept under. */
    idempotencyKey?: Claim | undefined;
  }
}

/**
 * A token's keys are its own: another token of the same user (another
 * machine, a CI job) that happens to pick the same key gets no replay of a
 * response that was made for someone else's request.
 */
const cacheKeyOf = (tokenId: string, key: string) => `idempotency:${tokenId}:${key}`;

/**
 * Whether a response is kept for replay. Kept: what the operation answered
 * once it ran, success or refusal (a 404, a name already taken), as Stripe
 * does. Not kept, so that a retry runs again: server errors (nothing was
 * done: the transaction rolled back), answers that say "try again later"
 * with `Retry-After` (429, 503), and streams, which cannot be replayed.
 * Requests refused before the operation ran (invalid input, no token, a
 * missing scope) never reach the key at all.
 */
function keeps(reply: FastifyReply, payload: unknown): payload is string | null | undefined {
  return (
    reply.statusCode < 500 &&
    !reply.hasHeader('retry-after') &&
    (typeof payload === 'string' || payload === null || payload === undefined)
  );
}

/**
 * Takes the key for this request, atomically: of concurrent requests with
 * one key exactly one gets it (undefined); the others get what is stored.
 */
async function claim(cache: Cache, id: string, fingerprint: string): Promise<Stored | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await cache.add<Stored>(id, { state: 'pending', fingerprint }, PENDING_MS))
      return undefined;
    const stored = await cache.get<Stored>(id);
    if (stored) return stored;
    // It expired between the two calls: try to take it again.
  }
  return { state: 'pending', fingerprint };
}

/** The request's `Idempotency-Key`, or undefined; a malformed one is a 400 `bad_request`. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY.test(key))
    throw new DomainError(
      'bad_request',
      'Idempotency-Key must be one header of 1-255 printable ASCII characters',
    );
  return key;
}

/**
 * `Idempotency-Key` (IETF draft-ietf-httpapi-idempotency-key-header) on the
 * routes that opt in with `config.idempotent`: the contract's POST, PATCH
 * and DELETE operations. The first response to a key is kept per token for
 * a day and replayed to a retry with the same key and the same request. The
 * same key on a different request (method, path with query, or body) is a
 * 422 `idempotency_key_reused`; while the first request still runs, a 409
 * `conflict` with `Retry-After`, which clients retry.
 *
 * The check is appended to each route's own preHandlers, so it runs after
 * the request was authenticated, validated and authorized: a token that was
 * revoked or lacks the route's scope gets its 401 or 403, never a stored
 * response, and a request refused there leaves the key untouched.
 */
export const idempotency = fp(
  async (app: FastifyInstance, { cache }: { cache: Cache }) => {
    async function check(request: FastifyRequest, reply: FastifyReply) {
      const key = idempotencyKeyOf(request);
      if (key === undefined || !request.principal) return;
      const id = cacheKeyOf(request.principal.token.id, key);
      const fingerprint = requestFingerprint(request);
      const stored = await claim(cache, id, fingerprint);
      if (!stored) {
        request.idempotencyKey = { id, fingerprint };
        return;
      }
      if (stored.fingerprint !== fingerprint)
        throw new DomainError(
          'idempotency_key_reused',
          'This Idempotency-Key was used for a different request (method, path or body): use a new key for a new request',
        );
      if (stored.state === 'pending')
        throw new DomainError(
          'conflict',
          'A request with this Idempotency-Key is still running: retry shortly',
          { retryAfterSeconds: 1 },
        );
      reply.header('idempotent-replayed', 'true');
      if (stored.contentType) reply.type(stored.contentType);
      return reply
        .code(stored.status)
        .serializer((body: unknown) => String(body))
        .send(stored.body);
    }

    app.addHook('onRoute', (route) => {
      if (!route.config?.idempotent) return;
      const own = route.preHandler ?? [];
      route.preHandler = [...(Array.isArray(own) ? own : [own]), check];
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const held = request.idempotencyKey;
      if (!held) return payload;
      request.idempotencyKey = undefined;
      if (!keeps(reply, payload)) {
        await cache.delete(held.id);
        return payload;
      }
      const contentType = reply.getHeader('content-type');
      await cache.set<Stored>(
        held.id,
        {
          state: 'done',
          fingerprint: held.fingerprint,
          status: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : undefined,
          body: payload ?? '',
        },
        KEEP_MS,
      );
      return payload;
    });

    // A response that went out without passing onSend (an onSend hook before
    // this one failed): free the key rather than answer 409 for a minute.
    app.addHook('onResponse', async (request) => {
      const held = request.idempotencyKey;
      if (held) await cache.delete(held.id);
    });
  },
  { name: 'idempotency', dependencies: ['authentication'] },
);
