import type { Album, Photo } from '@flickr-kit/sdk/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDeletedPhotos } from '../src/jobs/purge-deleted.ts';
import { callApi, readyPhoto as readyPhotoOf } from './api-calls.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { rawGet } from './raw-http.ts';
import { uploadPhoto } from './uploads.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('reading photos, albums, shares and the CDN tier', () => {
  let server: TestServer;
  let alice: User;
  let bob: User;
  let carol: User;

  const api = (user: User | undefined, method: string, path: string, body?: unknown) =>
    callApi(server.url, user, method, path, body);
  const cdn = (url: string, headers: Record<string, string> = {}) =>
    fetch(new URL(url, server.url), { headers });

  const readyPhoto = (owner: User, seed: number, metadata: Record<string, string> = {}) =>
    readyPhotoOf(server.url, owner, seed, metadata);

  beforeAll(async () => {
    server = await startTestServer();
    [alice, bob, carol] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ];
  });
  afterAll(() => server.destroy());

  it('serves a photo’s files through signed CDN URLs, cacheable, with ETags and ranges', async () => {
    const photo = await readyPhoto(alice, 1, { visibility: 'public' });
    const thumbnail = photo.renditions[0]?.url as string;
    expect(thumbnail).toMatch(/^\/cdn\/.+\/thumbnail\/.+\.jpg\?v=-&e=\d+&s=/);
    const full = await cdn(thumbnail);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    // Kept by caches as long as the URL is valid, and no longer (a shared cache knows no signatures).
    const expires = Number(new URL(thumbnail, server.url).searchParams.get('e'));
    const maxAge = Number(
      /^public, max-age=(\d+), immutable$/.exec(full.headers.get('cache-control') as string)?.[1],
    );
    expect(maxAge).toBeGreaterThan(0);
    expect(Math.abs(maxAge - (expires - Date.now() / 1000))).toBeLessThan(3);
    expect(Number(full.headers.get('content-length'))).toBe(photo.renditions[0]?.bytes);
    const etag = full.headers.get('etag') as string;
    expect((await cdn(thumbnail, { 'if-none-match': etag })).status).toBe(304);
    const part = await cdn(thumbnail, { range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-5/${photo.renditions[0]?.bytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(4);
    const size = photo.renditions[0]?.bytes as number;
    const last = await cdn(thumbnail, { range: 'bytes=-5' });
    expect(last.status).toBe(206);
    expect(last.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    // Past the end is clamped to the file.
    const tail = await cdn(thumbnail, { range: `bytes=${size - 3}-${size + 100}` });
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 3}-${size - 1}/${size}`);
    expect((await tail.arrayBuffer()).byteLength).toBe(3);
    // Several ranges are answered with the whole file, as RFC 9110 allows.
    const several = await cdn(thumbnail, { range: 'bytes=0-1,4-5' });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(size);
    // Unsatisfiable: a start past the end, an empty suffix, an end before the start.
    for (const range of ['bytes=999999-', 'bytes=-0', 'bytes=5-2']) {
      const refused = await cdn(thumbnail, { range });
      expect(refused.status, range).toBe(416);
      expect(refused.headers.get('content-range'), range).toBe(`bytes */${size}`);
      expect(await refused.json(), range).toMatchObject({
        status: 416,
        code: 'range_not_satisfiable',
      });
    }
    expect((await cdn(photo.originalUrl as string)).status).toBe(200);
  });

  it('refuses forged, expired and traversing CDN requests', async () => {
    const photo = await readyPhoto(alice, 2, { visibility: 'public' });
    const url = photo.renditions[0]?.url as string;
    const forged = url.replace(/s=[^&]+/, 's=AAAAAAAAAAAAAAAAAAAAAA');
    expect((await cdn(forged)).status).toBe(403);
    const otherViewer = url.replace('v=-', `v=${bob.userId}`);
    expect(await (await cdn(otherViewer)).json()).toMatchObject({ code: 'invalid_signature' });
    const key = url.slice('/cdn/'.length, url.indexOf('?'));
    const expired = server.services.signer.url(key, '-', Math.floor(Date.now() / 1000) - 10);
    expect(await (await cdn(expired)).json()).toMatchObject({ code: 'url_expired' });
    // Sent as written (fetch would resolve the dots away), with a forged signature and
    // with one the server's own key made: the key's shape is checked before anything else.
    const expires = server.services.signer.expiry();
    for (const traversal of [
      '../../etc/passwd',
      '%2e%2e/%2e%2e/etc/passwd',
      '..%2f..%2fsigning-key',
      `${alice.userId}/default/original/../../../signing-key`,
      `${key.split('/').slice(0, 3).join('/')}/..%2F..%2F..%2Fflickr.db`,
      '..\\..\\signing-key',
    ]) {
      for (const signed of [
        `/cdn/${traversal}?v=-&e=9999999999&s=AAAAAAAAAAAAAAAAAAAAAA`,
        server.services.signer
          .url(decodeURIComponent(traversal), '-', expires)
          .replace(/^\/cdn\/[^?]*/, `/cdn/${traversal}`),
      ]) {
        const answer = await rawGet(server.url, signed);
        expect(answer.status, signed).toBe(404);
        expect(JSON.parse(answer.body), signed).toMatchObject({ status: 404, code: 'not_found' });
        expect(answer.body).not.toMatch(/root:|[0-9a-f]{64}/);
      }
    }
    // None of it disturbed the file or its URL.
    expect(await server.services.cdn.stat(key)).toMatchObject({
      bytes: photo.renditions[0]?.bytes,
    });
    expect((await cdn(url)).status).toBe(200);
  });

  it('lets the owner edit a photo and move it between albums; others may not', async () => {
    const photo = await readyPhoto(alice, 3);
    const album = (await api(alice, 'POST', '/v1/albums', { name: 'Trips' }))
      .body as unknown as Album;
    const edited = await api(alice, 'PATCH', `/v1/photos/${photo.id}`, {
      title: 'Lake',
      tags: ['water', 'blue'],
      visibility: 'public',
      commentsEnabled: false,
      albumId: album.id,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      title: 'Lake',
      tags: ['water', 'blue'],
      visibility: 'public',
      commentsEnabled: false,
      album: { id: album.id, name: 'Trips' },
    });
    // The files stay where they were written and keep serving.
    expect((await cdn(edited.body.renditions[0]?.url as string)).status).toBe(200);
    expect((await api(bob, 'PATCH', `/v1/photos/${photo.id}`, { title: 'mine now' })).status).toBe(
      403,
    );
    expect((await api(alice, 'PATCH', `/v1/photos/${photo.id}`, { owner: 'bob' })).status).toBe(
      400,
    );
    // The refused edits changed nothing.
    const after = await api(alice, 'GET', `/v1/photos/${photo.id}`);
    expect(after.body).toMatchObject({
      title: 'Lake',
      ownerId: alice.userId,
      updatedAt: edited.body.updatedAt,
    });
    const list = await api(bob, 'GET', `/v1/albums/${album.id}/photos`);
    expect((list.body as unknown as { items: Photo[] }).items.map((p) => p.id)).toEqual([photo.id]);
  });

  it('creates, renames, lists and deletes albums, keeping their photos', async () => {
    const { body: album } = await api(alice, 'POST', '/v1/albums', { name: 'Family' });
    expect((await api(alice, 'POST', '/v1/albums', { name: 'Family' })).status).toBe(409);
    expect(
      (await api(alice, 'PATCH', `/v1/albums/${album.id}`, { name: 'Kin' })).body,
    ).toMatchObject({ name: 'Kin' });
    expect((await api(bob, 'PATCH', `/v1/albums/${album.id}`, { name: 'Hijack' })).status).toBe(
      404,
    );
    const names = (await api(undefined, 'GET', `/v1/users/${alice.username}/albums`))
      .body as unknown as { items: Album[] };
    expect(names.items.map((a) => a.name)).toContain('Kin');
    const photo = await readyPhoto(alice, 4, { album: 'Kin' });
    expect(photo.album?.id).toBe(album.id);
    expect((await api(alice, 'DELETE', `/v1/albums/${album.id}`)).status).toBe(204);
    expect((await api(alice, 'GET', `/v1/photos/${photo.id}`)).body.album).toBeNull();
  });

  it('lists each photo with its own album and renditions, as reading it alone shows them', async () => {
    const dave = await registerUser(server.url);
    const photos = [
      await readyPhoto(dave, 40, { album: 'Sea' }),
      await readyPhoto(dave, 41, { album: 'Hills' }),
      await readyPhoto(dave, 42),
    ];
    expect(photos.map((photo) => photo.album?.name)).toEqual(['Sea', 'Hills', undefined]);
    const page = (await api(dave, 'GET', `/v1/users/${dave.username}/photos`)).body as unknown as {
      items: Photo[];
    };
    // The same files; the signatures' expiry may have moved on to the next minute.
    const files = (photo: Photo) =>
      photo.renditions.map((r) => ({ ...r, url: new URL(r.url, server.url).pathname }));
    expect(page.items.map((photo) => photo.id)).toEqual(photos.map((photo) => photo.id).reverse());
    for (const listed of page.items) {
      const alone = photos.find((photo) => photo.id === listed.id) as Photo;
      expect(listed.album).toEqual(alone.album);
      expect(listed.renditions.length).toBeGreaterThan(0);
      expect(files(listed)).toEqual(files(alone));
    }
  });

  it('shows private photos to granted viewers only, and stops at once when revoked, CDN included', async () => {
    const photo = await readyPhoto(alice, 5);
    expect(photo.visibility).toBe('private');
    expect((await api(bob, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);
    expect((await api(undefined, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);

    expect((await api(alice, 'POST', '/v1/shares', { username: bob.username })).status).toBe(201);
    const seen = await api(bob, 'GET', `/v1/photos/${photo.id}`);
    expect(seen.status).toBe(200);
    const url = seen.body.renditions[0]?.url as string;
    expect(url).toContain(`v=${bob.userId}`);
    expect((await cdn(url)).status).toBe(200);
    const listed = (await api(bob, 'GET', `/v1/users/${alice.username}/photos`))
      .body as unknown as { items: Photo[] };
    expect(listed.items.map((p) => p.id)).toContain(photo.id);
    expect((await api(carol, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);
    expect((await api(bob, 'GET', '/v1/shares/to-me')).body).toMatchObject({
      items: [{ sharer: { username: alice.username } }],
    });

    expect((await api(alice, 'DELETE', `/v1/shares/${bob.username}`)).status).toBe(204);
    expect((await api(bob, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);
    expect((await cdn(url)).status).toBe(404);
    expect((await api(alice, 'DELETE', `/v1/shares/${bob.username}`)).status).toBe(404);
  });

  it('makes a photo unreachable at once when it turns private or is deleted, and purges its files later', async () => {
    const photo = await readyPhoto(alice, 6, { visibility: 'public' });
    const url = photo.renditions[0]?.url as string;
    expect((await cdn(url)).status).toBe(200);
    await api(alice, 'PATCH', `/v1/photos/${photo.id}`, { visibility: 'private' });
    expect((await cdn(url)).status).toBe(404);
    expect((await api(bob, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);

    expect((await api(alice, 'DELETE', `/v1/photos/${photo.id}`)).status).toBe(204);
    expect((await api(alice, 'GET', `/v1/photos/${photo.id}`)).status).toBe(404);
    const key = url.slice('/cdn/'.length, url.indexOf('?'));
    expect(await server.services.cdn.stat(key)).toBeDefined();
    await purgeDeletedPhotos(
      server.services.store,
      [server.services.cdn, server.services.blobs],
      server.services.renditions,
      0,
    );
    expect(await server.services.cdn.stat(key)).toBeUndefined();
    expect(await server.services.blobs.stat(key)).toBeUndefined();
    expect(await server.services.store.photos.byId(photo.id)).toBeUndefined();
  });

  /** A ready photo large enough (noise compresses badly) that a download stays in flight while unread. */
  async function bigPhoto(owner: User, seed: number, visibility = 'private'): Promise<Photo> {
    const noise = Buffer.from(
      Array.from({ length: 2000 * 1500 * 3 }, (_, i) => ((i + seed) * 2654435761) >>> 24),
    );
    const big = await sharp(noise, { raw: { width: 2000, height: 1500, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const { photo: uploaded } = await uploadPhoto(server.url, big, {
      token: owner.token,
      metadata: { visibility },
    });
    return eventually(async () => {
      const { body } = await api(owner, 'GET', `/v1/photos/${uploaded.id}`);
      return body.status === 'ready' ? body : undefined;
    });
  }

  it('lets one original download run at a time per user; thumbnails are not limited', async () => {
    const photo = await bigPhoto(alice, 0);
    const first = await cdn(photo.originalUrl as string);
    const reader = first.body?.getReader();
    try {
      // The first download is still open: a second one is refused until it ends.
      const second = await cdn(photo.originalUrl as string);
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(await second.json()).toMatchObject({ code: 'too_many_downloads' });
      expect((await cdn(photo.renditions[0]?.url as string)).status).toBe(200);
      while (!(await reader?.read())?.done) {}
    } finally {
      await reader?.cancel();
    }
    await eventually(async () =>
      (await cdn(photo.originalUrl as string)).status === 200 ? true : undefined,
    );
  });

  it('counts a public original against the signed-in user who asked for it, and anonymous callers by address', async () => {
    const photo = await bigPhoto(alice, 1, 'public');
    const urlFor = async (user: User | undefined) =>
      (await api(user, 'GET', `/v1/photos/${photo.id}`)).body.originalUrl as string;
    const [forBob, forCarol, forAnyone] = [
      await urlFor(bob),
      await urlFor(carol),
      await urlFor(undefined),
    ];
    expect(forBob).toContain(`v=${bob.userId}`);
    expect(forAnyone).toContain('v=-');
    // Thumbnails of a public photo stay the same URL for everyone, for shared caches.
    expect((await api(bob, 'GET', `/v1/photos/${photo.id}`)).body.renditions[0]?.url).toContain(
      'v=-',
    );

    const held = await cdn(forBob);
    const reader = held.body?.getReader();
    try {
      // Bob, Carol and anonymous callers all come from this one address.
      expect((await cdn(forBob)).status).toBe(429);
      const carols = await cdn(forCarol);
      expect(carols.status).toBe(200);
      await carols.arrayBuffer();
      const anonymous = await cdn(forAnyone);
      expect(anonymous.status).toBe(200);
      const anonymousReader = anonymous.body?.getReader();
      try {
        expect((await cdn(forAnyone)).status).toBe(429);
      } finally {
        await anonymousReader?.cancel();
      }
    } finally {
      await reader?.cancel();
    }
  });
});
