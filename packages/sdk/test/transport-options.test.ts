import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlickrClient } from '../src/client.ts';
import {
  AbortError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../src/errors.ts';
import { MemoryUploadStateStore } from '../src/uploads/upload-state-store.ts';
import { BASE, ID, limits, photoFixture, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('error mapping', () => {
  it.each([
    [409, 'conflict', ConflictError],
    [410, 'gone', NotFoundError],
    [413, 'payload_too_large', PayloadTooLargeError],
    [422, 'unsupported_image', ValidationError],
  ] as const)('maps a %i to its class, without retrying', async (status, code, Class) => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/photos/${ID}`, () => {
        calls++;
        return problem(status, code);
      }),
    );
    const error = await testClient()
      .photos.get(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({ status, code, detail: 'it went wrong', requestId: 'req-1' });
    expect(calls).toBe(1);
  });
});

describe('idempotency keys', () => {
  it('sends one key for every attempt of a PATCH and of a DELETE', async () => {
    const keys: Record<string, (string | null)[]> = { PATCH: [], DELETE: [] };
    server.use(
      http.patch(`${BASE}/v1/photos/${ID}`, ({ request }) => {
        keys.PATCH?.push(request.headers.get('idempotency-key'));
        return keys.PATCH?.length === 1
          ? problem(502, 'bad_gateway')
          : HttpResponse.json(photoFixture({ title: 'Lake' }));
      }),
      http.delete(`${BASE}/v1/photos/${ID}`, ({ request }) => {
        keys.DELETE?.push(request.headers.get('idempotency-key'));
        return keys.DELETE?.length === 1
          ? problem(503, 'unavailable')
          : new HttpResponse(null, { status: 204 });
      }),
    );
    const client = testClient();
    expect((await client.photos.update(ID, { title: 'Lake' })).title).toBe('Lake');
    await client.photos.delete(ID);
    for (const method of ['PATCH', 'DELETE']) {
      expect(keys[method]).toHaveLength(2);
      expect(keys[method]?.[0]).toMatch(/^sdk-/);
      expect(keys[method]?.[1]).toBe(keys[method]?.[0]);
    }
    expect(keys.PATCH?.[0]).not.toBe(keys.DELETE?.[0]);
  });

  it('sends the key the caller gives', async () => {
    let seen: string | null = null;
    server.use(
      http.delete(`${BASE}/v1/photos/${ID}`, ({ request }) => {
        seen = request.headers.get('idempotency-key');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await testClient().photos.delete(ID, { idempotencyKey: 'cleanup-2026-11-24' });
    expect(seen).toBe('cleanup-2026-11-24');
  });
});

describe('client options', () => {
  it('appends a custom userAgent to the SDK’s own', async () => {
    let agent: string | null = null;
    server.use(
      http.get(`${BASE}/v1/photos/${ID}`, ({ request }) => {
        agent = request.headers.get('user-agent');
        return HttpResponse.json(photoFixture());
      }),
    );
    await testClient({ userAgent: 'photo-sync/2.1' }).photos.get(ID);
    expect(agent).toMatch(/^flickr-sdk\/\d+\.\d+\.\d+ node\/\S+ photo-sync\/2\.1$/);
  });

  it('rejects an already-aborted signal with AbortError, sending nothing', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/photos/${ID}`, () => {
        calls++;
        return HttpResponse.json(photoFixture());
      }),
    );
    const error = await testClient()
      .photos.get(ID, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(calls).toBe(0);
  });

  it('refuses fetch and dispatcher together', () => {
    expect(
      () =>
        new FlickrClient({
          baseUrl: BASE,
          fetch: globalThis.fetch,
          dispatcher: new MockAgent(),
        }),
    ).toThrow(/fetch.*dispatcher/);
  });

  it('sends API calls and tus uploads through the dispatcher, with the user agent', async () => {
    const dispatcher = new MockAgent();
    dispatcher.disableNetConnect();
    const pool = dispatcher.get(BASE);
    const agents: string[] = [];
    const seen = (opts: { headers?: unknown }) => {
      const headers = new Headers(opts.headers as Record<string, string>);
      agents.push(headers.get('user-agent') ?? '');
      return headers;
    };
    pool.intercept({ path: '/v1/limits', method: 'GET' }).reply((opts) => {
      seen(opts);
      return { statusCode: 200, data: limits, responseOptions: { headers: json } };
    });
    pool.intercept({ path: '/v1/uploads/check', method: 'POST' }).reply((opts) => {
      seen(opts);
      return {
        statusCode: 200,
        data: { existing: [], missing: [] },
        responseOptions: { headers: json },
      };
    });
    let creation: Headers | undefined;
    pool.intercept({ path: '/v1/uploads/files', method: 'POST' }).reply((opts) => {
      creation = seen(opts);
      return {
        statusCode: 201,
        data: { photo: photoFixture(), duplicate: false, clientThumbnail: 'absent' },
        responseOptions: {
          headers: {
            ...json,
            location: `/v1/uploads/files/${ID}`,
            'upload-offset': '4',
            'tus-resumable': '1.0.0',
          },
        },
      };
    });
    const client = new FlickrClient({
      baseUrl: BASE,
      token: 'fk_test',
      dispatcher,
      userAgent: 'photo-sync/2.1',
      uploadStateStore: new MemoryUploadStateStore(),
    });
    const result = await client.uploads.uploadFile(
      Buffer.from('abcd'),
      {},
      { clientThumbnail: false },
    );
    expect(result.status).toBe('uploaded');
    // The whole (small) file travelled in the creation request, through the same dispatcher.
    expect(creation?.get('content-length')).toBe('4');
    expect(creation?.get('tus-resumable')).toBe('1.0.0');
    expect(creation?.get('authorization')).toBe('Bearer fk_test');
    expect(agents).toHaveLength(3);
    for (const agent of agents) expect(agent).toMatch(/ photo-sync\/2\.1$/);
    dispatcher.assertNoPendingInterceptors();
    await client.close();
  });
});

const json = { 'content-type': 'application/json' };
