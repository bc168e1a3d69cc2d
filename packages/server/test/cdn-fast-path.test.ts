// The CDN tier's hot path ahead of Fastify (http/cdn/cdn-fast-path.ts): it
// answers only what the Fastify route would answer the same way, from
// caches the route filled, and declines the rest. Here it runs behind its
// own HTTP server, which says 599 when the fast path declined, so every
// decision is visible; the real server's route is the reference.
import { createServer, request, type Server } from 'node:http';
import type { Photo } from '@flickr-kit/sdk/contract';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdnAccess } from '../src/domain/cdn-access.ts';
import { cdnFastPath } from '../src/http/cdn/cdn-fast-path.ts';
import { PublishedFiles } from '../src/http/cdn/published-files.ts';
import { callApi, readyPhoto as readyPhotoOf } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';

type User = Awaited<ReturnType<typeof registerUser>>;
const DECLINED = 599;

describe('the CDN tier hot path', () => {
  let server: TestServer;
  let fast: Server;
  let fastUrl: string;
  let published: PublishedFiles;
  let access: CdnAccess;
  let alice: User;
  let bob: User;

  const api = (user: User, method: string, path: string, body?: unknown) =>
    callApi<Photo>(server.url, user, method, path, body);
  const readyPhoto = (owner: User, seed: number, visibility: string) =>
    readyPhotoOf(server.url, owner, seed, { visibility });

  const thumbnailOf = (photo: Photo) =>
    photo.renditions.find((r) => r.name === 'thumbnail')?.url as string;

  /** What the route's first answer fills: the access facts and the file's size and bytes. */
  async function warm(path: string, photo: Photo, viewer: string) {
    const key = decodeURIComponent(new URL(path, 'http://x').pathname.slice('/cdn/'.length));
    await access.allows(photo.id, viewer);
    const info = await published.stat(key);
    if (info) await published.read(key, info);
  }

  beforeAll(async () => {
    server = await startTestServer();
    [alice, bob] = [await registerUser(server.url), await registerUser(server.url)];
    // Facts trusted for a minute, not a second: a loaded machine may take longer than
    // a second between warming and asking, and the tests here are about what the cache
    // holds (a revoke or a privacy change clears it at once, whatever the lifetime).
    published = new PublishedFiles(server.services.cdn, { ttlMs: 60_000 });
    access = new CdnAccess(server.services.store, server.services.cache, 60_000);
    const path = cdnFastPath({
      published,
      signer: server.services.signer,
      access,
      log: pino({ level: 'silent' }),
    });
    fast = createServer((request, response) => {
      if (!path(request, response)) response.writeHead(DECLINED).end();
    });
    await new Promise<void>((resolve) => fast.listen(0, '127.0.0.1', resolve));
    const address = fast.address();
    fastUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    fast.close();
    await server.destroy();
  });

  it('answers a cached thumbnail exactly as the route does, and declines until it is cached', async () => {
    const photo = await readyPhoto(alice, 1, 'public');
    const path = thumbnailOf(photo);
    expect((await fetch(new URL(path, fastUrl))).status).toBe(DECLINED);

    const reference = await fetch(new URL(path, server.url));
    expect(reference.status).toBe(200);
    await warm(path, photo, '-');
    const answer = await fetch(new URL(path, fastUrl), {
      headers: { 'x-request-id': 'trace-12345' },
    });
    expect(answer.status).toBe(200);
    for (const header of [
      'etag',
      'cache-control',
      'content-type',
      'content-length',
      'accept-ranges',
    ])
      expect(answer.headers.get(header), header).toBe(reference.headers.get(header));
    expect(answer.headers.get('cache-control')).toMatch(/^public, .*immutable/);
    expect(answer.headers.get('x-request-id')).toBe('trace-12345');
    expect(answer.headers.get('server-timing')).toMatch(/^app;dur=\d/);
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(
      Buffer.from(await reference.arrayBuffer()),
    );
  });

  it('leaves errors, ranges, conditional requests, HEAD and originals to the route', async () => {
    const photo = await readyPhoto(alice, 2, 'public');
    const path = thumbnailOf(photo);
    await warm(path, photo, '-');
    const status = async (url: string, init: RequestInit = {}) =>
      (await fetch(new URL(url, fastUrl), init)).status;
    expect(await status(path)).toBe(200);
    expect(await status(path, { headers: { range: 'bytes=0-3' } })).toBe(DECLINED);
    expect(await status(path, { headers: { 'if-none-match': '"x"' } })).toBe(DECLINED);
    expect(await status(path, { method: 'HEAD' })).toBe(DECLINED);
    const forged = path.replace(/s=([A-Za-z0-9_-])/, (_, c) => `s=${c === 'A' ? 'B' : 'A'}`);
    expect(await status(forged)).toBe(DECLINED);
    expect(await status(path.replace(/e=\d+/, 'e=1'))).toBe(DECLINED);
    expect(await status(path.replace(/\?.*$/, ''))).toBe(DECLINED);
    expect(await status(path.replace('/thumbnail/', '/..%2f/'))).toBe(DECLINED);
    const original = photo.originalUrl as string;
    await warm(original, photo, '-');
    expect(await status(original)).toBe(DECLINED);
  });

  it('declines what the route refuses from the head: an over-long URL, a GET with a body', async () => {
    const photo = await readyPhoto(alice, 5, 'public');
    const path = thumbnailOf(photo);
    await warm(path, photo, '-');
    /** A GET sent with a body, which fetch does not send. */
    const getWithBody = (base: string) =>
      new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(base);
        const sent = request(
          {
            host: hostname,
            port,
            path,
            method: 'GET',
            headers: { 'content-length': '2' },
            agent: false,
          },
          (answer) => {
            answer.resume();
            resolve(answer.statusCode ?? 0);
          },
        );
        sent.on('error', reject);
        sent.end('{}');
      });
    expect(await getWithBody(fastUrl)).toBe(DECLINED);
    expect(await getWithBody(server.url)).toBe(400);
    // Parameters the signature does not cover, past the longest URL the API reads.
    const long = `${path}&pad=${'x'.repeat(9 * 1024)}`;
    expect((await fetch(new URL(long, fastUrl))).status).toBe(DECLINED);
    expect((await fetch(new URL(long, server.url))).status).toBe(414);
    expect((await fetch(new URL(path, fastUrl))).status).toBe(200);
  });

  it('stops answering at once when a share is revoked or a photo made private', async () => {
    expect((await api(alice, 'POST', '/v1/shares', { username: bob.username })).status).toBe(201);
    const photo = await readyPhoto(alice, 3, 'private');
    const { body: seen } = await api(bob, 'GET', `/v1/photos/${photo.id}`);
    const path = thumbnailOf(seen);
    await warm(path, photo, bob.userId);
    expect((await fetch(new URL(path, fastUrl))).status).toBe(200);
    expect((await api(alice, 'DELETE', `/v1/shares/${bob.username}`)).status).toBe(204);
    expect((await fetch(new URL(path, fastUrl))).status).toBe(DECLINED);
    expect((await fetch(new URL(path, server.url))).status).toBe(404);

    const open = await readyPhoto(alice, 4, 'public');
    const openPath = thumbnailOf(open);
    await warm(openPath, open, '-');
    expect((await fetch(new URL(openPath, fastUrl))).status).toBe(200);
    expect(
      (await api(alice, 'PATCH', `/v1/photos/${open.id}`, { visibility: 'private' })).status,
    ).toBe(200);
    expect((await fetch(new URL(openPath, fastUrl))).status).toBe(DECLINED);
    expect((await fetch(new URL(openPath, server.url))).status).toBe(404);
  });
});
