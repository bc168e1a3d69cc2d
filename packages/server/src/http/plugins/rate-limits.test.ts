import type { Problem } from '@flickr-kit/sdk/contract';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemDetails } from './problem-details.ts';
import { rateLimits } from './rate-limits.ts';

describe('rate limits', () => {
  const app = Fastify();
  const WINDOW_SECONDS = 7;

  beforeAll(async () => {
    await app.register(problemDetails);
    await app.register(rateLimits);
    app.get(
      '/limited',
      { config: { rateLimit: { max: 1, timeWindow: WINDOW_SECONDS * 1000 } } },
      async () => ({ ok: true }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers 429 rate_limited with the seconds left in the window as Retry-After', async () => {
    expect((await app.inject('/limited')).statusCode).toBe(200);
    const refused = await app.inject('/limited');
    expect(refused.statusCode).toBe(429);
    const problem = refused.json<Problem>();
    expect(problem).toMatchObject({ status: 429, code: 'rate_limited' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(problem.retryAfterSeconds).toBe(retryAfter);
  });
});
