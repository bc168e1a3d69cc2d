import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';

/**
 * Per-route rate limits (`config.rateLimit` on a route; none by default).
 * A refusal is a `rate_limited` problem whose `Retry-After` is the
 * limiter's own: the seconds left in the caller's window, not a guess.
 */
export const rateLimits = fp(
  async (app: FastifyInstance) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new DomainError('rate_limited', `Too many attempts: retry in ${context.after}`, {
          retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        }),
    });
  },
  { name: 'rate-limits', dependencies: ['problem-details'] },
);
