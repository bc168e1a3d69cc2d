import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, NotFoundError, TimeoutError } from '../src/errors.ts';
import { PhotoFailedError } from '../src/resources/photos.ts';
import { BASE, photoFixture, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const id = (n: number) => `01a20cdf-0c57-7000-b760-${String(n).padStart(12, '0')}`;

/** Photo n is ready after `readyAfter[n]` polls, failed when -1, unknown when missing. */
function photos(readyAfter: Record<number, number>) {
  const polls = new Map<string, number>();
  return http.get(`${BASE}/v1/photos/:id`, ({ params }) => {
    const photoId = params.id as string;
    const n = Number(photoId.slice(-12));
    const count = (polls.get(photoId) ?? 0) + 1;
    polls.set(photoId, count);
    const after = readyAfter[n];
    if (after === undefined) return problem(404, 'not_found');
    if (after === -1)
      return HttpResponse.json(
        photoFixture({ id: photoId, status: 'failed', statusReason: 'not an image' }),
      );
    return HttpResponse.json(
      photoFixture({ id: photoId, status: count >= after ? 'ready' : 'processing' }),
    );
  });
}

describe('waitUntilReady', () => {
  it('throws PhotoFailedError with the reason when the photo fails', async () => {
    server.use(photos({ 1: -1 }));
    const error = await testClient()
      .photos.waitUntilReady(id(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhotoFailedError);
    expect((error as PhotoFailedError).photo.statusReason).toBe('not an image');
  });

  it('throws TimeoutError when the deadline passes first', async () => {
    server.use(photos({ 1: 1_000_000 }));
    const error = await testClient()
      .photos.waitUntilReady(id(1), { timeoutMs: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/still processing/);
  });

  it('rejects with AbortError when aborted while it waits', async () => {
    server.use(photos({ 1: 1_000_000 }));
    const controller = new AbortController();
    const pending = testClient().photos.waitUntilReady(id(1), { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });
});

describe('waitUntilReadyMany', () => {
  it('reports every photo, ready, failed or missing, instead of throwing on the first failure', async () => {
    server.use(photos({ 1: 1, 2: 2, 3: -1 }));
    const report = await testClient().photos.waitUntilReadyMany([id(1), id(2), id(3), id(4)]);
    expect(report.map((entry) => [entry.id, entry.status])).toEqual([
      [id(1), 'ready'],
      [id(2), 'ready'],
      [id(3), 'failed'],
      [id(4), 'error'],
    ]);
    expect(report[2]?.error).toBeInstanceOf(PhotoFailedError);
    expect(report[3]?.error).toBeInstanceOf(NotFoundError);
  });

  it('reports the photos still processing at the deadline with a TimeoutError and their last state', async () => {
    server.use(photos({ 1: 1, 2: 1_000_000 }));
    const report = await testClient().photos.waitUntilReadyMany([id(1), id(2)], { timeoutMs: 1 });
    expect(report[0]?.status).toBe('ready');
    expect(report[1]).toMatchObject({ status: 'error', photo: { status: 'processing' } });
    expect(report[1]?.error).toBeInstanceOf(TimeoutError);
  });

  it('polls the photos still processing only, in shared rounds', async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${BASE}/v1/photos/:id`, ({ params }) => {
        asked.push(params.id as string);
        return HttpResponse.json(
          photoFixture({
            id: params.id as string,
            status: params.id === id(1) || asked.length > 3 ? 'ready' : 'processing',
          }),
        );
      }),
    );
    const report = await testClient().photos.waitUntilReadyMany([id(1), id(2), id(3)]);
    expect(report.every((entry) => entry.status === 'ready')).toBe(true);
    // Round one asks all three; round two only the two that were processing.
    expect(asked.slice(0, 3).sort()).toEqual([id(1), id(2), id(3)]);
    expect(asked.slice(3).sort()).toEqual([id(2), id(3)]);
  });
});
