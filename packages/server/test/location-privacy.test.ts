// A photo's location: the owner sets, changes and clears it, and chooses who
// sees it (account default, per-photo override). Everyone else gets no
// location anywhere, and an original without its GPS fields, with its own digest.
import { createHash } from 'node:crypto';
import type { Photo } from '@flickr-kit/sdk/contract';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, type Caller, callApi } from './api-calls.ts';
import { GPS_POSITION, photoWithGps } from './generated-images.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { sha256, uploadPhoto } from './uploads.ts';

type User = Caller & { userId: string; username: string };

describe('location and geo privacy', () => {
  let server: TestServer;
  let alice: User;
  let bob: User;
  let carol: User;
  let admin: User;
  let seed = 1;

  const api = <T = Photo>(
    caller: Caller | undefined,
    method: string,
    path: string,
    body?: unknown,
  ) => callApi<T>(server.url, caller, method, path, body) as Promise<ApiAnswer<T>>;
  const get = async (caller: Caller | undefined, id: string) =>
    (await api(caller, 'GET', `/v1/photos/${id}`)).body;
  const patch = (id: string, body: unknown, caller: Caller = alice) =>
    api(caller, 'PATCH', `/v1/photos/${id}`, body);
  const setDefault = (visibility: string) =>
    api(alice, 'PATCH', '/v1/me/settings', { locationVisibilityDefault: visibility });

  /** Alice's new public photo, ready, from a file that carries GPS. */
  async function alicesPhoto(file?: Buffer): Promise<{ photo: Photo; file: Buffer }> {
    const data = file ?? (await photoWithGps(seed++));
    const { photo } = await uploadPhoto(server.url, data, {
      token: alice.token,
      metadata: { visibility: 'public' },
    });
    const ready = await eventually(async () => {
      const shown = await get(alice, photo.id);
      return shown.status === 'ready' ? shown : undefined;
    });
    return { photo: ready, file: data };
  }

  /** The original as a caller downloads it through the URL the API signs for them. */
  async function original(
    caller: Caller | undefined,
    id: string,
    headers: Record<string, string> = {},
  ) {
    const url = (await get(caller, id)).originalUrl as string;
    const response = await fetch(new URL(url, server.url), { headers });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
  }

  const digestOf = (bytes: Buffer) =>
    `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
  const gpsOf = async (file: Buffer) => {
    const { exif } = await sharp(file).metadata();
    return exif ? (exifReader(exif).GPSInfo ?? {}) : {};
  };

  beforeAll(async () => {
    server = await startTestServer();
    [alice, bob, carol] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ];
    const adminName = `admin${seed++}`;
    await server.services.accounts.createUser(adminName, 'a long passphrase', { isAdmin: true });
    const session = await api<{ token: string; user: { id: string } }>(
      undefined,
      'POST',
      '/v1/auth/login',
      { username: adminName, password: 'a long passphrase' },
    );
    admin = { token: session.body.token, userId: session.body.user.id, username: adminName };
    await api(alice, 'POST', '/v1/shares', { username: bob.username });
  });
  afterAll(() => server.destroy());

  it('shows the location to the owner and those shared with, by default, and tells the owner so', async () => {
    const { photo } = await alicesPhoto();
    expect(photo.location).toEqual(GPS_POSITION);
    expect(photo.locationPrivacy).toEqual({ override: null, effective: 'shared' });
    expect((await get(bob, photo.id)).location).toEqual(GPS_POSITION);
    expect((await get(admin, photo.id)).location).toEqual(GPS_POSITION);
    for (const stranger of [carol, undefined]) {
      const shown = await get(stranger, photo.id);
      expect(shown.location).toBeNull();
      expect(shown.locationPrivacy).toBeNull();
    }
    expect((await get(bob, photo.id)).locationPrivacy).toBeNull();
    // Listings carry the same view.
    const page = await api<{ items: Photo[] }>(carol, 'GET', `/v1/users/${alice.username}/photos`);
    expect(page.body.items.find((item) => item.id === photo.id)?.location).toBeNull();
  });

  it('lets the owner set, change and clear a location, and refuses bad coordinates', async () => {
    const { photo } = await alicesPhoto();
    const moved = await patch(photo.id, { location: { latitude: -33.8568, longitude: 151.2153 } });
    expect(moved.status).toBe(200);
    expect(moved.body.location).toEqual({ latitude: -33.8568, longitude: 151.2153 });
    expect((await get(alice, photo.id)).location).toEqual({
      latitude: -33.8568,
      longitude: 151.2153,
    });
    for (const location of [
      { latitude: 90.0001, longitude: 0 },
      { latitude: 0, longitude: -180.5 },
      { latitude: '12', longitude: 3 },
      { latitude: 12 },
      { latitude: 1, longitude: 2, altitude: 3 },
      [1, 2],
      '48.8,2.3',
    ]) {
      const refused = await patch(photo.id, { location });
      expect(refused.status, JSON.stringify(location)).toBe(400);
      expect((refused.body as unknown as { code: string }).code).toBe('validation_failed');
    }
    expect((await patch(photo.id, { locationVisibility: 'everyone' })).status).toBe(400);
    expect((await get(alice, photo.id)).location).toEqual({
      latitude: -33.8568,
      longitude: 151.2153,
    });
    const cleared = await patch(photo.id, { location: null });
    expect(cleared.body.location).toBeNull();
    expect((await get(bob, photo.id)).location).toBeNull();
    // Only the owner (or an administrator) edits it.
    expect((await patch(photo.id, { location: null }, bob)).status).toBe(403);
  });

  it('follows the account default unless the photo says otherwise', async () => {
    const { photo } = await alicesPhoto();
    expect((await setDefault('anyone')).body).toMatchObject({
      locationVisibilityDefault: 'anyone',
    });
    expect((await get(carol, photo.id)).location).toEqual(GPS_POSITION);
    expect((await get(undefined, photo.id)).location).toEqual(GPS_POSITION);
    expect((await get(alice, photo.id)).locationPrivacy).toEqual({
      override: null,
      effective: 'anyone',
    });

    const own = await patch(photo.id, { locationVisibility: 'owner' });
    expect(own.body.locationPrivacy).toEqual({ override: 'owner', effective: 'owner' });
    expect((await get(bob, photo.id)).location).toBeNull();
    expect((await get(carol, photo.id)).location).toBeNull();
    expect((await get(alice, photo.id)).location).toEqual(GPS_POSITION);

    await patch(photo.id, { locationVisibility: null });
    await setDefault('owner');
    expect((await get(bob, photo.id)).location).toBeNull();
    await setDefault('shared');
    expect((await get(bob, photo.id)).location).toEqual(GPS_POSITION);
    expect((await get(carol, photo.id)).location).toBeNull();
  });

  it('shows a location to anyone to those a private profile shared with, in the view as in the original', async () => {
    const { photo, file } = await alicesPhoto();
    await patch(photo.id, { locationVisibility: 'anyone' });
    expect((await api(alice, 'PATCH', '/v1/profile', { visibility: 'private' })).status).toBe(200);
    try {
      const shown = await get(bob, photo.id);
      expect(shown.location).toEqual(GPS_POSITION);
      expect(shown.originalSha256).toBe(photo.sha256);
      const fetched = await original(bob, photo.id);
      expect(fetched.bytes.equals(file)).toBe(true);
    } finally {
      await api(alice, 'PATCH', '/v1/profile', { visibility: 'public' });
    }
  });

  it('lets no one find by hasLocation a location they may not see', async () => {
    const { photo } = await alicesPhoto();
    const title = `lighthouse${seed++}`;
    await patch(photo.id, { title });
    const found = async (caller: Caller | undefined, hasLocation: boolean) => {
      const query = `q=${title}&owner=${alice.username}&hasLocation=${hasLocation}`;
      const page = await api<{ items: Photo[] }>(caller, 'GET', `/v1/search/photos?${query}`);
      return page.body.items.map((item) => item.id);
    };
    for (const caller of [alice, bob, admin]) {
      expect(await found(caller, true)).toEqual([photo.id]);
      expect(await found(caller, false)).toEqual([]);
    }
    for (const caller of [carol, undefined]) {
      expect(await found(caller, true)).toEqual([]);
      expect(await found(caller, false)).toEqual([photo.id]);
    }
    await patch(photo.id, { locationVisibility: 'anyone' });
    expect(await found(carol, true)).toEqual([photo.id]);
    expect(await found(undefined, true)).toEqual([photo.id]);
    await patch(photo.id, { locationVisibility: 'owner' });
    expect(await found(bob, true)).toEqual([]);
    expect(await found(admin, true)).toEqual([photo.id]);

    // Following the account's default: each default, as search sees it.
    await patch(photo.id, { locationVisibility: null });
    const setDefault = (level: string) =>
      api(alice, 'PATCH', '/v1/me/settings', { locationVisibilityDefault: level });
    await setDefault('anyone');
    expect(await found(carol, true)).toEqual([photo.id]);
    expect(await found(undefined, false)).toEqual([]);
    await setDefault('owner');
    expect(await found(bob, true)).toEqual([]);
    expect(await found(bob, false)).toEqual([photo.id]);
    expect(await found(alice, true)).toEqual([photo.id]);
    await setDefault('shared');
    expect(await found(bob, true)).toEqual([photo.id]);
    expect(await found(carol, false)).toEqual([photo.id]);
  });

  it('serves the owner the original as uploaded, and a stranger a copy without GPS with its own digest', async () => {
    const { photo, file } = await alicesPhoto();
    expect(photo.originalSha256).toBe(photo.sha256);
    // The copy's digest is unknown until someone first downloads it.
    expect((await get(carol, photo.id)).originalSha256).toBeNull();
    const own = await original(alice, photo.id);
    expect(own.bytes.equals(file)).toBe(true);
    expect(own.response.headers.get('repr-digest')).toBe(digestOf(file));
    expect(own.response.headers.get('cache-control')).toMatch(/^private/);

    const copy = await original(carol, photo.id);
    expect(copy.response.status).toBe(200);
    expect(copy.bytes.length).toBe(file.length);
    expect(copy.response.headers.get('repr-digest')).toBe(digestOf(copy.bytes));
    expect(copy.response.headers.get('etag')).not.toBe(own.response.headers.get('etag'));
    expect(await gpsOf(file)).toHaveProperty('GPSLatitude');
    expect(await gpsOf(copy.bytes)).toEqual({});
    expect((await sharp(copy.bytes).metadata()).xmp?.toString()).not.toMatch(/GPS/);
    // Everything but the GPS bytes is the original's: a few hundred bytes differ.
    const differing = file.reduce((count, byte, i) => count + (copy.bytes[i] === byte ? 0 : 1), 0);
    expect(differing).toBeGreaterThan(0);
    expect(differing).toBeLessThan(400);
    expect(await sharp(copy.bytes).raw().toBuffer()).toEqual(await sharp(file).raw().toBuffer());

    // Ranges of the copy agree with the whole copy, across the patched bytes too.
    for (const [start, end] of [
      [0, 99],
      [20, 400],
      [150, file.length - 1],
    ] as const) {
      const part = await original(carol, photo.id, { range: `bytes=${start}-${end}` });
      expect(part.response.status).toBe(206);
      expect(part.response.headers.get('repr-digest')).toBe(digestOf(copy.bytes));
      expect(part.bytes.equals(copy.bytes.subarray(start, end + 1))).toBe(true);
    }
    // Cached by ETag as any file.
    const etag = copy.response.headers.get('etag') as string;
    expect((await original(carol, photo.id, { 'if-none-match': etag })).response.status).toBe(304);
    // Worked out once and stored: the stored digest is the served one.
    const stored = await server.services.store.originalScrubs.get(photo.id);
    expect(stored?.sha256).toBe(sha256(copy.bytes));
    // And the photo now names it to those who get the copy, so sync can tell it is there.
    expect((await get(carol, photo.id)).originalSha256).toBe(sha256(copy.bytes));
    expect((await get(bob, photo.id)).originalSha256).toBe(photo.sha256);
  });

  it('makes one copy when several strangers ask for it at once', async () => {
    const { photo, file } = await alicesPhoto();
    const strangers = [
      carol,
      undefined,
      await registerUser(server.url),
      await registerUser(server.url),
    ];
    const copies = await Promise.all(strangers.map((caller) => original(caller, photo.id)));
    const digests = new Set(copies.map((copy) => copy.response.headers.get('repr-digest')));
    expect(digests.size).toBe(1);
    for (const copy of copies) {
      expect(copy.response.status).toBe(200);
      expect(copy.bytes.equals(copies[0]?.bytes as Buffer)).toBe(true);
      expect(copy.bytes.equals(file)).toBe(false);
    }
    expect((await server.services.store.originalScrubs.get(photo.id))?.sha256).toBe(
      sha256(copies[0]?.bytes as Buffer),
    );
  });

  it('serves each caller the original the rule allows', async () => {
    const { photo, file } = await alicesPhoto();
    const gets = async (caller: Caller | undefined) =>
      (await original(caller, photo.id)).bytes.equals(file) ? 'as uploaded' : 'without GPS';
    expect(await gets(alice)).toBe('as uploaded');
    expect(await gets(bob)).toBe('as uploaded');
    expect(await gets(admin)).toBe('as uploaded');
    expect(await gets(carol)).toBe('without GPS');
    expect(await gets(undefined)).toBe('without GPS');
    await patch(photo.id, { locationVisibility: 'anyone' });
    expect(await gets(carol)).toBe('as uploaded');
    await patch(photo.id, { locationVisibility: 'owner' });
    expect(await gets(bob)).toBe('without GPS');
    await patch(photo.id, { locationVisibility: null });
    expect(await gets(bob)).toBe('as uploaded');
    // Once the owner edits the location, the file's GPS is no longer the photo's: only the owner gets it.
    await patch(photo.id, { location: null, locationVisibility: 'anyone' });
    expect(await gets(bob)).toBe('without GPS');
    expect(await gets(carol)).toBe('without GPS');
    expect(await gets(alice)).toBe('as uploaded');
  });

  it.each(['png', 'webp', 'avif'] as const)(
    'serves a %s original without GPS, verifiable by its digest',
    async (format) => {
      const { photo, file } = await alicesPhoto(await photoWithGps(seed++, format));
      const copy = await original(carol, photo.id);
      expect(copy.bytes.length).toBe(file.length);
      expect(copy.response.headers.get('repr-digest')).toBe(digestOf(copy.bytes));
      expect(await gpsOf(copy.bytes)).toEqual({});
      expect(await gpsOf(file)).toHaveProperty('GPSLatitude');
    },
  );

  it('keeps both of a location edit and a title edit sent at once', async () => {
    const { photo } = await alicesPhoto();
    for (let round = 0; round < 5; round++) {
      const location = { latitude: round + 0.25, longitude: -(round + 0.5) };
      const title = `round ${round}`;
      const answers = await Promise.all([
        patch(photo.id, { location }),
        patch(photo.id, { title }),
        patch(photo.id, { locationVisibility: round % 2 ? 'owner' : 'anyone' }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      const stored = await get(alice, photo.id);
      expect(stored.location).toEqual(location);
      expect(stored.title).toBe(title);
      expect(stored.locationPrivacy?.override).toBe(round % 2 ? 'owner' : 'anyone');
    }
  });
});
