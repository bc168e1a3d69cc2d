import { getEventListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlickrClient } from '../src/client.ts';
import { AbortError } from '../src/errors.ts';
import { digestOf } from '../src/uploads/local-file.ts';
import { MemoryUploadStateStore } from '../src/uploads/upload-state-store.ts';
import { BASE, ID, limits, photoFixture, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('aborting', () => {
  it('downloadMany sends nothing with an aborted signal: limits and the list get it too', async () => {
    let calls = 0;
    server.use(
      http.all(`${BASE}/*`, () => {
        calls++;
        return HttpResponse.json({});
      }),
    );
    const error = await testClient()
      .photos.downloadMany('ada', { dir: tmpdir(), signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(calls).toBe(0);
  });

  it('stops spooling a stream with a typed AbortError and removes the spooled file', async () => {
    const controller = new AbortController();
    const endless = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const spools = async () =>
      (await readdir(tmpdir())).filter((name) => name.startsWith('flickr-upload-'));
    const before = new Set(await spools());
    setImmediate(() => controller.abort());
    const error = await testClient()
      .uploads.uploadFile(endless, {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((await spools()).filter((name) => !before.has(name))).toEqual([]);
  });

  it('stops hashing with a typed AbortError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sdk-abort-'));
    const path = join(dir, 'photo.jpg');
    await writeFile(path, Buffer.alloc(4 * 2 ** 20));
    try {
      await expect(digestOf({ path }, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
      const controller = new AbortController();
      const pending = digestOf({ path }, controller.signal);
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(AbortError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(existsSync(path)).toBe(false);
  });

  it('leaves no abort listener behind once an upload settles', async () => {
    const dispatcher = new MockAgent();
    dispatcher.disableNetConnect();
    const pool = dispatcher.get(BASE);
    const json = { 'content-type': 'application/json' };
    pool
      .intercept({ path: '/v1/limits', method: 'GET' })
      .reply(200, limits, { headers: json })
      .persist();
    pool
      .intercept({ path: '/v1/uploads/check', method: 'POST' })
      .reply(200, { existing: [], missing: [] }, { headers: json })
      .persist();
    pool
      .intercept({ path: '/v1/uploads/files', method: 'POST' })
      .reply(
        201,
        { photo: photoFixture({ id: ID }), duplicate: false, clientThumbnail: 'absent' },
        { headers: { ...json, location: `/v1/uploads/files/${ID}`, 'upload-offset': '4' } },
      )
      .persist();
    const client = new FlickrClient({
      baseUrl: BASE,
      token: 'fk_test',
      dispatcher,
      uploadStateStore: new MemoryUploadStateStore(),
    });
    const controller = new AbortController();
    for (const bytes of ['abcd', 'efgh', 'ijkl'])
      await client.uploads.uploadFile(
        Buffer.from(bytes),
        {},
        {
          clientThumbnail: false,
          signal: controller.signal,
        },
      );
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await client.close();
    await dispatcher.close();
  });
});
