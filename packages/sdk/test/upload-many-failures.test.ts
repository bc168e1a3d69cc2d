import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, AuthenticationError, InternalServerError } from '../src/errors.ts';
import { BASE, ID, limits, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const hash = (n: number) => String(n).repeat(64);
/** Files that do not exist, with digests: nothing is read, so only the API calls matter. */
const files = [1, 2, 3].map((n) => ({
  path: `/nonexistent/IMG_${n}.jpg`,
  digest: { sha256: hash(n), bytes: 100 },
}));

describe('uploadMany never throws for a per-file reason', () => {
  it('turns a failed check batch into failed entries for its files only', async () => {
    server.use(
      http.get(`${BASE}/v1/limits`, () => HttpResponse.json({ ...limits, maxHashesPerCheck: 1 })),
      http.post(`${BASE}/v1/uploads/check`, async ({ request }) => {
        const [sha256] = ((await request.json()) as { sha256: string[] }).sha256;
        if (sha256 === hash(2)) return problem(500, 'internal');
        return HttpResponse.json({
          existing: [{ sha256, photoId: ID, status: 'ready' }],
          missing: [],
        });
      }),
    );
    const report = await testClient({ maxRetries: 0 }).uploads.uploadMany(files);
    expect(report.map((entry) => entry.status)).toEqual(['skipped', 'failed', 'skipped']);
    expect(report[1]?.error).toBeInstanceOf(InternalServerError);
    expect(report[1]).toMatchObject({ path: files[1]?.path, sha256: hash(2), bytes: 100 });
  });

  it('turns a failed limits call into a failed entry per file', async () => {
    server.use(http.get(`${BASE}/v1/limits`, () => problem(503, 'unavailable')));
    const report = await testClient({ maxRetries: 0 }).uploads.uploadMany(files);
    expect(report.map((entry) => [entry.path, entry.status])).toEqual(
      files.map((file) => [file.path, 'failed']),
    );
    expect(report.every((entry) => entry.error instanceof InternalServerError)).toBe(true);
  });

  it('rejects with AuthenticationError when the token is refused before anything was sent', async () => {
    server.use(
      http.get(`${BASE}/v1/limits`, () => HttpResponse.json(limits)),
      http.post(`${BASE}/v1/uploads/check`, () => problem(401, 'unauthenticated')),
    );
    await expect(testClient().uploads.uploadMany(files)).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  it('ends every file as failed with AbortError when the signal is already aborted', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/limits`, () => {
        calls++;
        return HttpResponse.json(limits);
      }),
    );
    const report = await testClient().uploads.uploadMany(files, { signal: AbortSignal.abort() });
    expect(report.every((entry) => entry.error instanceof AbortError)).toBe(true);
    expect(calls).toBe(0);
  });

  it('reports a file it cannot read as failed, and goes on with the others', async () => {
    server.use(
      http.get(`${BASE}/v1/limits`, () => HttpResponse.json(limits)),
      http.post(`${BASE}/v1/uploads/check`, async ({ request }) => {
        const { sha256 } = (await request.json()) as { sha256: string[] };
        return HttpResponse.json({
          existing: sha256.map((sha) => ({ sha256: sha, photoId: ID, status: 'ready' })),
          missing: [],
        });
      }),
    );
    const report = await testClient().uploads.uploadMany(['/nonexistent/unreadable.jpg', ...files]);
    expect(report.map((entry) => entry.status)).toEqual([
      'failed',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(report[0]?.error).toMatchObject({ code: 'ENOENT' });
  });
});
