// The SDK's tus client on the client's one transport and retry policy,
// against a fake tus server (msw) that fails the way networks and servers do.
import { createHash } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, InternalServerError, ValidationError } from '../src/index.ts';
import { fingerprintOf } from '../src/uploads/upload-file.ts';
import { BASE, ID, limits, photoFixture, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const FILES = `${BASE}/v1/uploads/files`;
const result = { photo: photoFixture(), duplicate: false, clientThumbnail: 'absent' };

/** A tus endpoint for one upload; `patch` decides each PATCH's fate from the bytes it holds. */
function fakeTus(patch: (call: number) => 'store' | 'lose-answer' | Response, initiallyHeld = 0) {
  const calls: string[] = [];
  let held = initiallyHeld;
  let length = 0;
  let done = false;
  server.use(
    http.get(`${BASE}/v1/limits`, () => HttpResponse.json(limits)),
    http.post(`${BASE}/v1/uploads/check`, () => HttpResponse.json({ existing: [], missing: [] })),
    http.post(FILES, ({ request }) => {
      calls.push('POST');
      length = Number(request.headers.get('upload-length'));
      return new HttpResponse(null, {
        status: 201,
        headers: { location: `${FILES}/${ID}`, 'upload-offset': '0' },
      });
    }),
    http.head(`${FILES}/${ID}`, () => {
      calls.push(`HEAD ${held}`);
      return new HttpResponse(null, { status: 200, headers: { 'upload-offset': String(held) } });
    }),
    http.patch(`${FILES}/${ID}`, async ({ request }) => {
      const offset = Number(request.headers.get('upload-offset'));
      const body = new Uint8Array(await request.arrayBuffer());
      calls.push(`PATCH ${offset}+${body.length}`);
      if (offset !== held)
        return problem(409, 'upload_conflict', 'offset', { 'upload-offset': String(held) });
      if (done && body.length === 0)
        return HttpResponse.json(result, { headers: { 'upload-offset': String(held) } });
      const fate = patch(calls.filter((c) => c.startsWith('PATCH')).length);
      if (fate instanceof Response) return fate;
      held += body.length;
      done = held === length;
      if (fate === 'lose-answer') return HttpResponse.error();
      return done
        ? HttpResponse.json(result, { headers: { 'upload-offset': String(held) } })
        : new HttpResponse(null, { status: 204, headers: { 'upload-offset': String(held) } });
    }),
  );
  return calls;
}

const file = Buffer.alloc(100_000, 7);
const big = { resumableThreshold: 1 }; // created first, then sent by PATCH

describe('uploads over tus with the one retry policy', () => {
  it('asks where the upload stands after a lost last answer, and sends the last request again', async () => {
    const calls = fakeTus((call) => (call === 1 ? 'lose-answer' : 'store'));
    const uploaded = await testClient().uploads.uploadFile(
      file,
      {},
      { ...big, clientThumbnail: false },
    );
    expect(uploaded.status).toBe('uploaded');
    // The server had every byte: the retry carries none, and hears the same result.
    expect(calls).toEqual([
      'POST',
      `PATCH 0+${file.length}`,
      `HEAD ${file.length}`,
      `PATCH ${file.length}+0`,
    ]);
  });

  it('resumes from the offset the server holds after a server error, sending only the rest', async () => {
    const calls = fakeTus((call) => (call === 1 ? 'lose-answer' : 'store'));
    // The first PATCH of half the file lands, its answer is lost; the rest follows.
    const uploaded = await testClient().uploads.uploadFile(
      file,
      {},
      { ...big, chunkSize: 60_000, clientThumbnail: false },
    );
    expect(uploaded.status).toBe('uploaded');
    expect(calls).toEqual(['POST', 'PATCH 0+60000', 'HEAD 60000', 'PATCH 60000+40000']);
  });

  it('makes maxRetries + 1 attempts at most, each resuming, then fails with the last error', async () => {
    const calls = fakeTus(() => problem(503, 'unavailable'));
    const error = await testClient({ maxRetries: 2 })
      .uploads.uploadFile(file, {}, { ...big, clientThumbnail: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(3);
  });

  it('sets an offset the server disagrees with right, without spending a retry', async () => {
    // Another writer got bytes in first: the server holds 5,000 where this client believes 0.
    const calls = fakeTus(() => 'store', 5_000);
    const uploaded = await testClient({ maxRetries: 0 }).uploads.uploadFile(
      file.subarray(0, 20_000),
      {},
      { ...big, clientThumbnail: false },
    );
    expect(uploaded.status).toBe('uploaded');
    expect(calls).toEqual(['POST', 'PATCH 0+20000', 'HEAD 5000', 'PATCH 5000+15000']);
  });

  it('never retries a refused file, and forgets its upload', async () => {
    const calls = fakeTus(() => problem(422, 'unsupported_image', 'not an image'));
    const client = testClient();
    const error = await client.uploads
      .uploadFile(file, {}, { ...big, clientThumbnail: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(1);
  });

  it('starts a new upload when the stored one expired on the server', async () => {
    const calls = fakeTus(() => 'store');
    server.use(
      http.head(`${FILES}/gone`, () => {
        calls.push('HEAD gone');
        return problem(410, 'gone');
      }),
    );
    const client = testClient();
    const state = client.options.uploadStateStore;
    const digest = { sha256: createHash('sha256').update(file).digest('hex'), bytes: file.length };
    await state?.set(fingerprintOf(BASE, digest), `${FILES}/gone`);
    const uploaded = await client.uploads.uploadFile(file, {}, { ...big, clientThumbnail: false });
    expect(uploaded.status).toBe('uploaded');
    expect(calls.slice(0, 2)).toEqual(['HEAD gone', 'POST']);
    expect(await state?.get(fingerprintOf(BASE, digest))).toBeUndefined();
  });

  it('reports a connection that keeps failing as a ConnectionError', async () => {
    fakeTus(() => HttpResponse.error());
    const error = await testClient({ maxRetries: 1 })
      .uploads.uploadFile(file, {}, { ...big, clientThumbnail: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
  });
});
