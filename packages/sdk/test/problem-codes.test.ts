import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../src/contract/errors.ts';
import { type ApiError, PermissionDeniedError, ValidationError } from '../src/errors.ts';
import { BASE, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Answers every album creation with this problem, counting the calls. */
function refuseAlbums(status: number, code: string, detail: string) {
  const calls = { count: 0 };
  server.use(
    http.post(`${BASE}/v1/albums`, () => {
      calls.count++;
      return problem(status, code, detail);
    }),
  );
  return calls;
}

describe('problem codes', () => {
  it('surfaces a reused idempotency key as a ValidationError with its code, without retrying', async () => {
    const calls = refuseAlbums(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request',
    );
    const error = await testClient()
      .albums.create('Trips', { idempotencyKey: 'k-1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
      requestId: 'req-1',
    });
    expect(calls.count).toBe(1);
  });

  it('reads a code this version does not know as a string, keeping the typed error and the document', async () => {
    refuseAlbums(403, 'album_limit_reached', 'You have 500 albums, the most there can be');
    const error = await testClient()
      .albums.create('Trips')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({
      status: 403,
      code: 'album_limit_reached',
      detail: 'You have 500 albums, the most there can be',
      requestId: 'req-1',
    });
    expect((error as ApiError).problem?.code).toBe('album_limit_reached');
  });

  it('still refuses a document whose code is not a string', () => {
    const document = { type: 't', title: 't', status: 400, detail: 'd', requestId: 'r' };
    expect(Problem.safeParse({ ...document, code: 'made_up' }).success).toBe(true);
    expect(Problem.safeParse({ ...document, code: 42 }).success).toBe(false);
  });
});
