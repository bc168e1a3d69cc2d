import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UploadManyEvent } from '../src/index.ts';
import { BASE, ID, limits, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('uploadMany with digests the caller computed', () => {
  it('does not read the file to hash it, and still reports it hashed', async () => {
    const sha256 = 'ab'.repeat(32);
    const asked: string[][] = [];
    server.use(
      http.get(`${BASE}/v1/limits`, () => HttpResponse.json(limits)),
      http.post(`${BASE}/v1/uploads/check`, async ({ request }) => {
        const body = (await request.json()) as { sha256: string[] };
        asked.push(body.sha256);
        return HttpResponse.json({
          existing: [{ sha256, photoId: ID, status: 'ready' }],
          missing: [],
        });
      }),
    );
    // The path does not exist: hashing it would fail the entry.
    const path = join('/nonexistent', 'IMG_1.jpg');
    const events: UploadManyEvent[] = [];
    const report = await testClient().uploads.uploadMany(
      [{ path, digest: { sha256, bytes: 1234 } }],
      { onProgress: (event) => events.push(event) },
    );
    expect(report).toEqual([
      { path, status: 'skipped', reason: 'exists', sha256, bytes: 1234, photoId: ID },
    ]);
    expect(asked).toEqual([[sha256]]);
    expect(events[0]).toEqual({ type: 'hashed', path, sha256, bytes: 1234 });
  });
});
