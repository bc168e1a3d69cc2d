import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, InternalServerError, RateLimitError } from '../src/errors.ts';
import { BASE, CREATED, ID, photoFixture, problem, settle, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

const album = { id: ID, ownerId: ID, name: 'Trips', createdAt: CREATED };

/** Answers the first `failures` calls with `failure`, then with `success`; counts calls. */
function flaky(failures: number, failure: () => Response, success: () => Response) {
  const calls = { count: 0 };
  return {
    calls,
    resolver: () => {
      calls.count++;
      return calls.count <= failures ? failure() : success();
    },
  };
}

/** Advances fake time by `ms`, letting msw's callbacks run. */
async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

describe('retry timing', () => {
  beforeEach(() => {
    // Only the SDK's sleeps are faked; request timeouts (AbortSignal.timeout) keep real time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });

  it('waits the exponential backoff before each retry: 500 ms, then 1 s', async () => {
    const { calls, resolver } = flaky(
      2,
      () => problem(503, 'unavailable'),
      () => HttpResponse.json(photoFixture()),
    );
    server.use(http.get(`${BASE}/v1/photos/${ID}`, resolver));
    const pending = testClient().photos.get(ID);
    await settle();
    expect(calls.count).toBe(1);
    await advance(499);
    expect(calls.count).toBe(1);
    await advance(1);
    expect(calls.count).toBe(2);
    await advance(999);
    expect(calls.count).toBe(2);
    await advance(1);
    expect(calls.count).toBe(3);
    expect(await pending).toEqual(photoFixture());
  });

  it('never retries before Retry-After says, even when backoff would be sooner', async () => {
    const { calls, resolver } = flaky(
      1,
      () => problem(429, 'rate_limited', 'slow down', { 'retry-after': '3' }),
      () => HttpResponse.json(album, { status: 201 }),
    );
    server.use(http.post(`${BASE}/v1/albums`, resolver));
    const pending = testClient().albums.create('Trips');
    await settle();
    expect(calls.count).toBe(1);
    await advance(2999);
    expect(calls.count).toBe(1);
    await advance(1);
    expect(await pending).toEqual(album);
    expect(calls.count).toBe(2);
  });

  it('retries a 409 that carries Retry-After: the same idempotency key is still running', async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post(`${BASE}/v1/albums`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        if (keys.length === 1)
          return problem(409, 'conflict', 'still running: retry shortly', { 'retry-after': '1' });
        return HttpResponse.json(album, { status: 201 });
      }),
    );
    const pending = testClient().albums.create('Trips');
    await settle();
    await advance(1000);
    expect(await pending).toEqual(album);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });
});

describe('Retry-After beyond the cap', () => {
  it('is not retried: a RateLimitError with retryAfterSeconds reaches the caller at once', async () => {
    const { calls, resolver } = flaky(
      5,
      () => problem(429, 'rate_limited', 'slow down', { 'retry-after': '120' }),
      () => HttpResponse.json(album, { status: 201 }),
    );
    server.use(http.post(`${BASE}/v1/albums`, resolver));
    const error = await testClient()
      .albums.create('Trips')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120 });
    expect(calls.count).toBe(1);
  });

  it('honours a lower cap set on the client', async () => {
    const { calls, resolver } = flaky(
      5,
      () => problem(503, 'unavailable', 'maintenance', { 'retry-after': '5' }),
      () => HttpResponse.json(album, { status: 201 }),
    );
    server.use(http.post(`${BASE}/v1/albums`, resolver));
    const error = await testClient({ maxRetryAfterMs: 1000 })
      .albums.create('Trips')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ retryAfterSeconds: 5 });
    expect(calls.count).toBe(1);
  });

  it('never retries a 409 without Retry-After', async () => {
    const { calls, resolver } = flaky(
      5,
      () => problem(409, 'conflict', 'key reused for another request'),
      () => HttpResponse.json(album, { status: 201 }),
    );
    server.use(http.post(`${BASE}/v1/albums`, resolver));
    await expect(testClient().albums.create('Trips')).rejects.toBeInstanceOf(ConflictError);
    expect(calls.count).toBe(1);
  });
});
