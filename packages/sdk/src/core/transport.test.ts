import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlickrClient } from '../client.ts';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  ResponseValidationError,
  TimeoutError,
  ValidationError,
} from '../errors.ts';
import { MemoryUploadStateStore } from '../uploads/upload-state-store.ts';

const BASE = 'http://flickr.test';
const server = setupServer();

const problem = (status: number, code: string, detail = 'it went wrong') =>
  HttpResponse.json(
    {
      type: `https://flickr-kit.dev/problems/${code}`,
      title: code,
      status,
      code,
      detail,
      requestId: 'req-1',
    },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );

const me = {
  user: {
    id: '01a20cdf-0c57-7000-b760-b1161089238c',
    username: 'ada',
    isAdmin: false,
    createdAt: '2026-11-24T09:00:00.000Z',
  },
  token: {
    id: '01a20cdf-0ca5-7000-8574-4e14a2a5e0a4',
    name: 'session',
    kind: 'session',
    scopes: ['read'],
    createdAt: '2026-11-24T09:00:00.000Z',
    lastUsedAt: null,
    expiresAt: null,
  },
};

function client(options: { maxRetries?: number; timeout?: number } = {}) {
  return new FlickrClient({
    baseUrl: BASE,
    token: 'fk_test',
    // msw intercepts the global fetch; the default undici fetch bypasses it.
    fetch: (input, init) => globalThis.fetch(input, init),
    uploadStateStore: new MemoryUploadStateStore(),
    ...options,
  });
}

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('transport', () => {
  it('sends the token and a user agent, and returns the validated response', async () => {
    let seen: Headers | undefined;
    server.use(
      http.get(`${BASE}/v1/me`, ({ request }) => {
        seen = request.headers;
        return HttpResponse.json(me);
      }),
    );
    expect(await client().auth.whoami()).toEqual(me);
    expect(seen?.get('authorization')).toBe('Bearer fk_test');
    expect(seen?.get('user-agent')).toMatch(/^flickr-sdk\/\d+\.\d+\.\d+ node\//);
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/me`, () => {
        calls++;
        if (calls === 1) return problem(503, 'unavailable');
        if (calls === 2)
          return new HttpResponse(null, { status: 429, headers: { 'retry-after': '0' } });
        return HttpResponse.json(me);
      }),
    );
    expect(await client().auth.whoami()).toEqual(me);
    expect(calls).toBe(3);
  });

  it('gives up after maxRetries with the last error, typed', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/me`, () => {
        calls++;
        return new HttpResponse('<html>bad gateway</html>', { status: 502 });
      }),
    );
    const error = await client({ maxRetries: 1 })
      .auth.whoami()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: 'unknown' });
    expect(calls).toBe(2);
  });

  it.each([
    [400, 'validation_failed', ValidationError],
    [401, 'unauthenticated', AuthenticationError],
    [404, 'not_found', NotFoundError],
  ] as const)('never retries a %i and maps it to its class', async (status, code, Class) => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/me`, () => {
        calls++;
        return problem(status, code);
      }),
    );
    const error = await client()
      .auth.whoami()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ status, code, detail: 'it went wrong', requestId: 'req-1' });
    expect(calls).toBe(1);
  });

  it('reports Retry-After on a rate limit it could not outwait', async () => {
    server.use(
      http.get(
        `${BASE}/v1/me`,
        () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '120' } }),
      ),
    );
    const error = await client({ maxRetries: 0 })
      .auth.whoami()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterSeconds).toBe(120);
  });

  it('sends one idempotency key for every attempt of a POST, and none on GET', async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post(`${BASE}/v1/albums`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        if (keys.length === 1) return problem(500, 'internal');
        return HttpResponse.json(
          {
            id: me.user.id,
            ownerId: me.user.id,
            name: 'Trips',
            createdAt: '2026-11-24T09:00:00.000Z',
          },
          { status: 201 },
        );
      }),
      http.get(`${BASE}/v1/me`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return HttpResponse.json(me);
      }),
    );
    await client().albums.create('Trips');
    await client().auth.whoami();
    expect(keys[0]).toMatch(/^sdk-/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBeNull();
  });

  it('turns a response that drifted from the contract into a typed error', async () => {
    server.use(http.get(`${BASE}/v1/me`, () => HttpResponse.json({ user: { id: 'not-a-uuid' } })));
    const error = await client()
      .auth.whoami()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.length).toBeGreaterThan(0);
  });

  it('times out a slow attempt, and retries it', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/me`, async () => {
        calls++;
        await delay(1000);
        return HttpResponse.json(me);
      }),
    );
    const error = await client({ timeout: 50, maxRetries: 1 })
      .auth.whoami()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(calls).toBe(2);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/me`, async () => {
        calls++;
        await delay(1000);
        return HttpResponse.json(me);
      }),
    );
    const controller = new AbortController();
    const pending = client().auth.whoami({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(1);
  });

  it('retries connection failures and reports them as ConnectionError', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/me`, () => {
        calls++;
        return HttpResponse.error();
      }),
    );
    const error = await client({ maxRetries: 2 })
      .auth.whoami()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(calls).toBe(3);
  });
});
