import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { CLIENT_THUMBNAIL_MAX_BYTES, type Photo } from '@flickr-kit/sdk/contract';
import { RENDER_SPEC_VERSION, renderRenditions } from '@flickr-kit/thumbnail-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { sha256, testPhoto, tusUpload, uploadPhoto } from './uploads.ts';

const json = (token: string, body?: unknown): RequestInit => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: {
    authorization: `Bearer ${token}`,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

async function readyPhoto(server: TestServer, token: string, id: string): Promise<Photo> {
  return eventually(async () => {
    const photo = (await (
      await fetch(`${server.url}/v1/photos/${id}`, json(token))
    ).json()) as Photo;
    return photo.status === 'ready' ? photo : undefined;
  });
}

/** Creates a tus upload and returns its URL. */
async function createUpload(server: TestServer, token: string, data: Buffer): Promise<string> {
  const metadata = `filename ${Buffer.from('a.jpg').toString('base64')},sha256 ${Buffer.from(sha256(data)).toString('base64')}`;
  const response = await fetch(`${server.url}/v1/uploads/files/`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(data.length),
      'upload-metadata': metadata,
    },
  });
  expect(response.status).toBe(201);
  return new URL(
    response.headers.get('location') ?? '',
    `${server.url}/v1/uploads/files/`,
  ).toString();
}

describe('upload policies', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({
      FLICKR_FREE_TIER_PHOTOS: '4',
      FLICKR_CLIENT_RENDER_DENYLIST: 'flickr-sdk/0.0.9-buggy',
      FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      // A transfer over the user's limit waits a second for its turn, then is refused.
      FLICKR_UPLOAD_WAIT_SECONDS: '1',
    });
    ({ token } = await registerUser(server.url));
  });
  afterAll(() => server.destroy());

  it('advertises its limits so clients can adapt', async () => {
    const limits = await (await fetch(`${server.url}/v1/limits`)).json();
    expect(limits).toMatchObject({
      uploadsInFlightPerUser: 1,
      originalDownloadsInFlightPerUser: 1,
      freeTierPhotos: 4,
      maxHashesPerCheck: 1000,
      tusEndpoint: '/v1/uploads/files/',
      clientRendering: { specVersion: RENDER_SPEC_VERSION, spec: { name: 'thumbnail', width: 50 } },
    });
  });

  it('tells which hashes the caller already has, and only the caller', async () => {
    const data = await testPhoto(10);
    const { photo } = await uploadPhoto(server.url, data, { token });
    const unknown = 'f'.repeat(64);
    const answer = await fetch(
      `${server.url}/v1/uploads/check`,
      json(token, { sha256: [sha256(data), unknown, unknown] }),
    );
    // How long the server itself took, apart from the network (bench/upload-check.bench.ts reads it).
    expect(answer.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d{2}$/);
    const mine = await answer.json();
    expect(mine).toEqual({
      existing: [{ sha256: sha256(data), photoId: photo.id, status: expect.any(String) }],
      missing: [unknown],
    });
    const other = await registerUser(server.url);
    const theirs = await (
      await fetch(`${server.url}/v1/uploads/check`, json(other.token, { sha256: [sha256(data)] }))
    ).json();
    expect(theirs).toEqual({ existing: [], missing: [sha256(data)] });
  });

  it('keeps a thumbnail the client rendered with the same renderer, byte for byte', async () => {
    const data = await testPhoto(11);
    const [thumbnail] = await renderRenditions(data);
    const result = await uploadPhoto(server.url, data, {
      token,
      metadata: {
        thumbnail: thumbnail!.data.toString('base64'),
        thumbnailSpecVersion: RENDER_SPEC_VERSION,
        clientVersion: 'flickr-sdk/0.1.0',
      },
    });
    expect(result.clientThumbnail).toBe('accepted');
    const ready = await readyPhoto(server, token, result.photo.id);
    expect(ready.renditions).toEqual([
      expect.objectContaining({ name: 'thumbnail', renderedBy: 'client', bytes: thumbnail!.bytes }),
    ]);
  });

  const TRUSTED = { thumbnailSpecVersion: RENDER_SPEC_VERSION, clientVersion: 'flickr-sdk/0.1.0' };
  /** The thumbnail thumbnail-core renders for a photo: what a trusted client sends. */
  const rendered = async (data: Buffer) =>
    ((await renderRenditions(data))[0] as { data: Buffer }).data;

  it.each([
    [
      'another renderer version',
      async (data: Buffer) => ({
        thumbnail: await rendered(data),
        fields: { ...TRUSTED, thumbnailSpecVersion: '0+old' },
      }),
    ],
    [
      'a deny-listed client release',
      async (data: Buffer) => ({
        thumbnail: await rendered(data),
        fields: { ...TRUSTED, clientVersion: 'flickr-sdk/0.0.9-buggy' },
      }),
    ],
    [
      'a client that does not say its version',
      async (data: Buffer) => ({
        thumbnail: await rendered(data),
        fields: { thumbnailSpecVersion: RENDER_SPEC_VERSION },
      }),
    ],
    [
      'a PNG of the right size (the spec says JPEG)',
      async (data: Buffer) => ({
        thumbnail: await sharp(await rendered(data))
          .png()
          .toBuffer(),
        fields: TRUSTED,
      }),
    ],
    [
      'a JPEG of the wrong size',
      async (data: Buffer) => ({
        thumbnail: await sharp(data).resize(40, 30).jpeg().toBuffer(),
        fields: TRUSTED,
      }),
    ],
    [
      'bytes that only start like a JPEG',
      async () => ({
        thumbnail: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(600, 7)]),
        fields: TRUSTED,
      }),
    ],
    [
      // Still within what Upload-Metadata may carry, one byte over what the server keeps.
      'a thumbnail over the size limit',
      async (data: Buffer) => {
        const real = await rendered(data);
        const padding = Buffer.alloc(CLIENT_THUMBNAIL_MAX_BYTES + 1 - real.length);
        return { thumbnail: Buffer.concat([real, padding]), fields: TRUSTED };
      },
    ],
  ])('renders the thumbnail itself when the client sends %s', async (_case, make) => {
    // A user of its own: the free tier here is small.
    const user = await registerUser(server.url);
    const data = await testPhoto(20 + _case.length);
    const { thumbnail, fields } = await make(data);
    const result = await uploadPhoto(server.url, data, {
      token: user.token,
      metadata: { thumbnail: thumbnail.toString('base64'), ...fields },
    });
    expect(result.clientThumbnail).toBe('rejected');
    const ready = await readyPhoto(server, user.token, result.photo.id);
    expect(ready.renditions).toEqual([
      expect.objectContaining({ name: 'thumbnail', renderedBy: 'server', width: 50, height: 38 }),
    ]);
  });

  it('refuses a new upload once the free tier is full, keeping what is stored', async () => {
    const full = await registerUser(server.url);
    for (let i = 0; i < 4; i++)
      await uploadPhoto(server.url, await testPhoto(100 + i, 64, 48), { token: full.token });
    const refused = await tusUpload(server.url, await testPhoto(200, 64, 48), {
      token: full.token,
    }).catch((error: Error) => error);
    expect(String(refused)).toMatch(/403/);
    expect(String(refused)).toMatch(/quota_exceeded/);
    // A file the user already has is still answered with its photo, not refused.
    const again = await uploadPhoto(server.url, await testPhoto(100, 64, 48), {
      token: full.token,
    });
    expect(again.duplicate).toBe(true);
  });

  /** Starts a PATCH of `data` and sends its first half; `finish` sends the rest, `answer` is its status. */
  function heldPatch(url: string, userToken: string, data: Buffer) {
    const patch = request(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${userToken}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(data.length),
      },
    });
    const answer = new Promise<number>((resolve, reject) => {
      patch.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      patch.on('error', reject);
    });
    patch.write(data.subarray(0, data.length / 2));
    return { answer, finish: () => patch.end(data.subarray(data.length / 2)) };
  }

  const sendWhole = (url: string, userToken: string, data: Uint8Array) =>
    fetch(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${userToken}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: data,
    });

  it('lets one upload transfer at a time per user: a second waits its turn, then gets 429 and Retry-After', async () => {
    const user = await registerUser(server.url);
    const first = await testPhoto(300);
    const firstUrl = await createUpload(server, user.token, first);
    const secondUrl = await createUpload(server, user.token, await testPhoto(301));
    const slow = heldPatch(firstUrl, user.token, first);
    // Watch the bytes land on disk: the first transfer holds the user's slot.
    const staged = join(server.dataDir, 'uploads', firstUrl.split('/').at(-1) as string);
    await eventually(async () => ((await stat(staged)).size > 0 ? true : undefined));

    const started = Date.now();
    const second = await sendWhole(secondUrl, user.token, new Uint8Array(16));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({ code: 'too_many_uploads' });

    slow.finish();
    expect(await slow.answer).toBe(204);
    // Another user is not held up by it.
    const other = await registerUser(server.url);
    expect(
      (await uploadPhoto(server.url, await testPhoto(302), { token: other.token })).duplicate,
    ).toBe(false);
  });

  it('sends a transfer that waited its turn once the one before it ends', async () => {
    const user = await registerUser(server.url);
    const first = await testPhoto(303);
    const secondData = await testPhoto(304);
    const firstUrl = await createUpload(server, user.token, first);
    const secondUrl = await createUpload(server, user.token, secondData);
    const slow = heldPatch(firstUrl, user.token, first);
    const staged = join(server.dataDir, 'uploads', firstUrl.split('/').at(-1) as string);
    await eventually(async () => ((await stat(staged)).size > 0 ? true : undefined));
    const second = sendWhole(secondUrl, user.token, secondData);
    await new Promise((resolve) => setTimeout(resolve, 200));
    slow.finish();
    expect(await slow.answer).toBe(204);
    expect((await second).status).toBe(204);
  });
});
