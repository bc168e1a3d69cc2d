import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Photo, UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/domain/ids.ts';
import { pngBomb, SVG } from './generated-images.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import {
  createUpload,
  createUploadRequest,
  headUpload,
  patchCutOff,
  patchUpload,
} from './tus-protocol.ts';
import { sha256, testPhoto, uploadPhoto } from './uploads.ts';

const MAX_UPLOAD_BYTES = 2 * 2 ** 20;

describe('bad input', () => {
  let server: TestServer;
  let token: string;
  /** A photo stored before any bad request, which every one of them must leave alone. */
  let keeper: Photo;
  let keeperFiles: (readonly [string, number])[];
  let seed = 500;

  const filesUnder = async (dir: string) =>
    (await readdir(join(server.dataDir, dir), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  const staged = () => filesUnder('uploads');
  const fileSizes = async () => {
    const files = [...(await filesUnder('blobs')), ...(await filesUnder('cdn'))];
    return Promise.all(files.map(async (file) => [file, (await stat(file)).size] as const));
  };

  const api = (method: string, path: string, body?: string, contentType = 'application/json') =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      ...(body === undefined ? {} : { body }),
    });

  async function photoWithStatus(id: string, status: Photo['status']): Promise<Photo> {
    return eventually(
      async () => {
        const photo = (await (await api('GET', `/v1/photos/${id}`)).json()) as Photo;
        return photo.status === status ? photo : undefined;
      },
      20_000,
      `photo ${status}`,
    );
  }

  /** Sends a whole file over tus in one PATCH and returns the pivot's answer. */
  async function sendWhole(data: Buffer, metadata: Record<string, string> = {}) {
    const url = await createUpload(server.url, token, data, metadata);
    return { url, response: await patchUpload(url, token, 0, data) };
  }

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
    ({ token } = await registerUser(server.url));
    const { photo } = await uploadPhoto(server.url, await testPhoto(seed++), { token });
    keeper = await photoWithStatus(photo.id, 'ready');
    keeperFiles = await fileSizes();
  });
  afterAll(() => server?.destroy());

  describe('JSON requests', () => {
    it('answers malformed and empty JSON with 400 malformed_json', async () => {
      await expectProblem(await api('POST', '/v1/albums', '{"name": '), 400, 'malformed_json');
      await expectProblem(await api('POST', '/v1/albums', ''), 400, 'malformed_json');
    });

    it('answers wrong types and missing fields with 400 validation_failed naming each field', async () => {
      const wrong = await expectProblem(
        await api('PATCH', `/v1/photos/${keeper.id}`, '{"title": 5, "visibility": "secret"}'),
        400,
        'validation_failed',
      );
      expect(wrong.errors?.map((e) => e.path).sort()).toEqual(['body.title', 'body.visibility']);
      const missing = await expectProblem(
        await api('POST', '/v1/uploads/check', '{}'),
        400,
        'validation_failed',
      );
      expect(missing.errors?.map((e) => e.path)).toEqual(['body.sha256']);
    });

    it('refuses fields the contract does not name where it is strict', async () => {
      const problem = await expectProblem(
        await api('PATCH', `/v1/photos/${keeper.id}`, '{"status": "failed", "ownerId": "x"}'),
        400,
        'validation_failed',
      );
      expect(problem.detail).toMatch(/status/);
    });

    it.each([
      ['a latitude past a pole', '{"location": {"latitude": 90.5, "longitude": 0}}', 'latitude'],
      [
        'a longitude past the antimeridian',
        '{"location": {"latitude": 0, "longitude": -181}}',
        'longitude',
      ],
      ['a coordinate as text', '{"location": {"latitude": "48.8", "longitude": 2.3}}', 'latitude'],
      ['a missing coordinate', '{"location": {"latitude": 48.8}}', 'longitude'],
      ['a location as a string', '{"location": "48.8,2.3"}', 'location'],
      ['a location as a pair', '{"location": [48.8, 2.3]}', 'location'],
      ['an unknown level', '{"locationVisibility": "friends"}', 'locationVisibility'],
    ])(
      'refuses %s in a photo edit with 400 naming the field, changing nothing',
      async (_, body, field) => {
        const problem = await expectProblem(
          await api('PATCH', `/v1/photos/${keeper.id}`, body),
          400,
          'validation_failed',
        );
        expect(problem.errors?.map((e) => e.path).join(' ')).toContain(field);
      },
    );

    it('refuses an unknown default location level in the settings, changing nothing', async () => {
      const before = await (await api('GET', '/v1/me/settings')).json();
      const problem = await expectProblem(
        await api('PATCH', '/v1/me/settings', '{"locationVisibilityDefault": "everyone"}'),
        400,
        'validation_failed',
      );
      expect(problem.errors?.map((e) => e.path)).toEqual(['body.locationVisibilityDefault']);
      expect(await (await api('GET', '/v1/me/settings')).json()).toEqual(before);
    });

    it('answers a JSON body over 1 MiB with 413 payload_too_large', async () => {
      const hashes = Array.from({ length: 17_000 }, () => 'a'.repeat(64));
      const body = JSON.stringify({ sha256: hashes });
      expect(body.length).toBeGreaterThan(2 ** 20);
      await expectProblem(await api('POST', '/v1/uploads/check', body), 413, 'payload_too_large');
    });

    it('answers a body of another content type with 415 unsupported_media_type', async () => {
      await expectProblem(
        await api('POST', '/v1/albums', 'name=Holidays', 'application/x-www-form-urlencoded'),
        415,
        'unsupported_media_type',
      );
    });

    it('refuses a hash check of more than 1,000 hashes, or of hashes that are not hex', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => sha256(Buffer.from(String(i))));
      await expectProblem(
        await api('POST', '/v1/uploads/check', JSON.stringify({ sha256: many })),
        400,
        'validation_failed',
      );
      const notHex = await expectProblem(
        await api(
          'POST',
          '/v1/uploads/check',
          JSON.stringify({ sha256: [keeper.sha256, 'z'.repeat(64)] }),
        ),
        400,
        'validation_failed',
      );
      expect(notHex.errors?.map((e) => e.path)).toEqual(['body.sha256.1']);
    });

    it('answers an unknown photo id with 404 and an id that is no UUID with 400', async () => {
      for (const method of ['GET', 'DELETE'])
        await expectProblem(await api(method, `/v1/photos/${uuidv7()}`), 404, 'not_found');
      const notUuid = await expectProblem(
        await api('GET', '/v1/photos/..%2F..%2Fetc%2Fpasswd'),
        400,
        'validation_failed',
      );
      expect(notUuid.errors?.map((e) => e.path)).toEqual(['params.id']);
    });

    it('answers a search without words, or with query syntax and bad filters, with 400, never 500', async () => {
      const searchFor = (params: Record<string, string>) =>
        api('GET', `/v1/search/photos?${new URLSearchParams(params)}`);
      await expectProblem(await searchFor({}), 400, 'validation_failed');
      await expectProblem(await searchFor({ q: '" ( ) * : -' }), 400, 'bad_request');
      const filters = await expectProblem(
        await searchFor({ q: 'x', takenTo: '2024-13-01', hasLocation: 'maybe' }),
        400,
        'validation_failed',
      );
      expect(filters.errors?.map((e) => e.path).sort()).toEqual([
        'query.hasLocation',
        'query.takenTo',
      ]);
      await expectProblem(await searchFor({ q: 'x', cursor: 'AAAA.BBBB' }), 400, 'invalid_cursor');
      for (const q of ['NEAR(a b', '"unclosed', 'a AND', "'x':* & !", '{title}:*'])
        expect((await searchFor({ q })).status, q).toBe(200);
    });
  });

  describe('tus uploads', () => {
    it('refuses a file name that is a path with 400 validation_failed, before any byte is sent', async () => {
      const data = await testPhoto(seed++, 64, 48);
      const response = await createUploadRequest(server.url, token, data.length, {
        filename: '../../etc/passwd',
        sha256: sha256(data),
      });
      const problem = await expectProblem(response, 400, 'validation_failed');
      expect(problem.detail).toMatch(/filename/);
    });

    it('refuses a file whose bytes do not match the declared SHA-256, keeping nothing', async () => {
      const before = await staged();
      const data = await testPhoto(seed++, 64, 48);
      const { url, response } = await sendWhole(data, { sha256: 'e'.repeat(64) });
      const problem = await expectProblem(response, 400, 'hash_mismatch');
      expect(problem.detail).toContain(sha256(data));
      // The upload is finished, refused: a retry of its last request hears the same problem.
      expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: data.length });
      const retried = await patchUpload(url, token, data.length, Buffer.alloc(0));
      expect(await expectProblem(retried, 400, 'hash_mismatch')).toMatchObject({
        detail: problem.detail,
      });
      expect(await staged()).toEqual(before);
      const check = await api(
        'POST',
        '/v1/uploads/check',
        JSON.stringify({ sha256: [sha256(data), 'e'.repeat(64)] }),
      );
      expect(await check.json()).toMatchObject({ existing: [] });
    });

    it.each([
      ['a text file', Buffer.from('just some notes, not a photo\n'), /Not a supported image/],
      ['an SVG image', SVG, /SVG images are not accepted/],
    ])('refuses %s with 422 unsupported_image, keeping nothing', async (_what, data, detail) => {
      const before = await staged();
      const { url, response } = await sendWhole(data, { filename: 'photo.svg' });
      expect((await expectProblem(response, 422, 'unsupported_image')).detail).toMatch(detail);
      expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: data.length });
      expect(await staged()).toEqual(before);
    });

    it('refuses a JPEG whose header is garbage with 422 corrupt_image', async () => {
      const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2000)]);
      const { response } = await sendWhole(data);
      expect((await expectProblem(response, 422, 'corrupt_image')).detail).toMatch(/JPEG/);
    });

    it('renders what a JPEG cut off after its header holds, as browsers show it', async () => {
      const whole = await testPhoto(seed++);
      const truncated = whole.subarray(0, Math.floor(whole.length / 2));
      const { response } = await sendWhole(truncated);
      expect(response.status).toBe(200);
      const accepted = (await response.json()) as UploadResult;
      expect(accepted.photo.status).toBe('processing');
      const ready = await photoWithStatus(accepted.photo.id, 'ready');
      expect(ready.renditions.map((r) => r.name)).toEqual(['thumbnail']);
    });

    it('refuses a JPEG with no image data after its header at the pivot, keeping nothing', async () => {
      const whole = await testPhoto(seed++);
      // Its header and nothing else: no pixel decodes, and the pivot can tell.
      const broken = whole.subarray(0, whole.indexOf(Buffer.from([0xff, 0xda])));
      const before = await staged();
      const { response } = await sendWhole(broken);
      expect((await expectProblem(response, 422, 'corrupt_image')).detail).toMatch(/JPEG/);
      expect(await staged()).toEqual(before);
    });

    it('refuses a decompression bomb from its header with 422 image_too_large', async () => {
      const bomb = pngBomb(50_000, 50_000);
      expect(bomb.length).toBeLessThan(10_000);
      const { response } = await sendWhole(bomb, { filename: 'bomb.png' });
      expect((await expectProblem(response, 422, 'image_too_large')).detail).toMatch(/50000/);
    });

    it('refuses an Upload-Length over the limit with 413 payload_too_large', async () => {
      const response = await createUploadRequest(server.url, token, MAX_UPLOAD_BYTES + 1, {
        filename: 'huge.jpg',
        sha256: 'a'.repeat(64),
      });
      await expectProblem(response, 413, 'payload_too_large');
    });

    it('keeps a consistent offset when a PATCH stops mid-body, and resumes from it', async () => {
      const data = await testPhoto(seed++, 1600, 1200);
      const url = await createUpload(server.url, token, data);
      const file = join(server.dataDir, 'uploads', url.split('/').at(-1) as string);
      const half = Math.floor(data.length / 2);
      await patchCutOff(url, token, 0, data, half, async () => (await stat(file)).size > 0);

      // The offset is what reached the disk, however much of the cut chunk that was.
      const held = await headUpload(url, token);
      expect(held.status).toBe(200);
      expect(held.offset).toBeGreaterThan(0);
      expect(held.offset).toBeLessThanOrEqual(half);
      expect((await stat(file)).size).toBe(held.offset);

      // The dropped connection gave back the user's upload slot: the rest goes up at once.
      const rest = await patchUpload(url, token, held.offset, data.subarray(held.offset));
      expect(rest.status).toBe(200);
      const { photo } = (await rest.json()) as UploadResult;
      expect(photo).toMatchObject({ sha256: sha256(data), bytes: data.length });
      await photoWithStatus(photo.id, 'ready');
    });

    it('answers a PATCH at the wrong offset with 409 upload_conflict, changing nothing', async () => {
      const data = await testPhoto(seed++, 64, 48);
      const url = await createUpload(server.url, token, data);
      expect((await patchUpload(url, token, 0, data.subarray(0, 100))).status).toBe(204);
      for (const offset of [0, 50, 200])
        await expectProblem(
          await patchUpload(url, token, offset, data.subarray(offset)),
          409,
          'upload_conflict',
        );
      expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 100 });
    });

    // Checked before any body parser runs: every other type is a 415.
    it.each([
      ['application/json', 415, 'unsupported_media_type'],
      ['text/plain', 415, 'unsupported_media_type'],
      ['application/octet-stream', 415, 'unsupported_media_type'],
      [null, 415, 'unsupported_media_type'],
    ] as const)(
      'refuses a PATCH body sent as %s with %i %s, writing nothing',
      async (type, status, code) => {
        const data = await testPhoto(seed++, 64, 48);
        const url = await createUpload(server.url, token, data);
        const response = await patchUpload(url, token, 0, data, { 'content-type': type });
        await expectProblem(response, status, code);
        expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 0 });
      },
    );

    it('answers a request without Tus-Resumable with 412 precondition_failed', async () => {
      const data = await testPhoto(seed++, 64, 48);
      const url = await createUpload(server.url, token, data);
      const response = await patchUpload(url, token, 0, data, { 'tus-resumable': null });
      const problem = await expectProblem(response, 412, 'precondition_failed');
      expect(problem.detail).toBe('Send Tus-Resumable: 1.0.0: this is a tus endpoint');
      expect(response.headers.get('tus-version')).toBe('1.0.0');
      expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 0 });
    });
  });

  describe('people: profiles, follows and notifications', () => {
    it('refuses a profile visibility that is not public or private, or fields it does not know', async () => {
      const wrong = await expectProblem(
        await api('PATCH', '/v1/profile', '{"visibility": "friends"}'),
        400,
        'validation_failed',
      );
      expect(wrong.errors?.map((e) => e.path)).toEqual(['body.visibility']);
      await expectProblem(
        await api('PATCH', '/v1/profile', '{"visibility": "public", "isAdmin": true}'),
        400,
        'validation_failed',
      );
      expect(await (await api('GET', '/v1/profile')).json()).toMatchObject({
        visibility: 'public',
      });
    });

    it('refuses usernames that cannot exist, and answers unknown ones with 404', async () => {
      await expectProblem(await api('PUT', '/v1/following/NO%20SUCH'), 400, 'validation_failed');
      await expectProblem(await api('PUT', '/v1/following/nobody-at-all'), 404, 'not_found');
      await expectProblem(await api('DELETE', '/v1/following/nobody-at-all'), 404, 'not_found');
      await expectProblem(await api('GET', '/v1/users/nobody-at-all/followers'), 404, 'not_found');
      await expectProblem(
        await api('GET', '/v1/users/nobody-at-all/following?limit=0'),
        400,
        'validation_failed',
      );
    });

    it('refuses forged cursors, non-UUID ids and unknown notifications', async () => {
      await expectProblem(
        await api('GET', '/v1/notifications?after=abc.def'),
        400,
        'invalid_cursor',
      );
      await expectProblem(
        await api('GET', '/v1/notifications?unread=yes'),
        400,
        'validation_failed',
      );
      await expectProblem(
        await api('POST', '/v1/notifications/not-a-uuid/read'),
        400,
        'validation_failed',
      );
      await expectProblem(
        await api('POST', `/v1/notifications/${uuidv7()}/read`),
        404,
        'not_found',
      );
      await expectProblem(
        await api('POST', '/v1/notifications/read', JSON.stringify({ upTo: 'x' })),
        400,
        'validation_failed',
      );
      await expectProblem(
        await api('POST', '/v1/notifications/read', JSON.stringify({ upTo: uuidv7() })),
        404,
        'not_found',
      );
      await expectProblem(
        await fetch(`${server.url}/v1/notifications/stream`, {
          headers: { authorization: `Bearer ${token}`, 'last-event-id': '../../etc' },
        }),
        400,
        'bad_request',
      );
    });
  });

  describe('account deletion and export', () => {
    // The caller owns the keeper: none of these may delete the account, or anything of it.
    it('refuses a deletion without a password, with a wrong one, or with a body of another kind', async () => {
      const missing = await expectProblem(
        await api('DELETE', '/v1/me', '{}'),
        400,
        'validation_failed',
      );
      expect(missing.errors?.map((e) => e.path)).toEqual(['body.password']);
      await expectProblem(await api('DELETE', '/v1/me'), 400, 'validation_failed');
      await expectProblem(
        await api('DELETE', '/v1/me', '{"password": ""}'),
        400,
        'validation_failed',
      );
      await expectProblem(
        await api('DELETE', '/v1/me', JSON.stringify({ password: 'x'.repeat(1025) })),
        400,
        'validation_failed',
      );
      await expectProblem(await api('DELETE', '/v1/me', '{"password": '), 400, 'malformed_json');
      await expectProblem(
        await api('DELETE', '/v1/me', 'password=x', 'application/x-www-form-urlencoded'),
        415,
        'unsupported_media_type',
      );
      const wrong = await expectProblem(
        await api('DELETE', '/v1/me', '{"password": "not the password"}'),
        401,
        'invalid_credentials',
      );
      expect(wrong.detail).toMatch(/nothing was deleted/);
      expect((await api('GET', '/v1/me')).status).toBe(200);
      expect((await api('GET', `/v1/photos/${keeper.id}`)).status).toBe(200);
    });

    it('answers an export asked for with a method it does not take with 405', async () => {
      await expectProblem(await api('POST', '/v1/me/export', '{}'), 405, 'method_not_allowed');
      const exported = await api('GET', '/v1/me/export');
      expect(exported.status).toBe(200);
      expect(JSON.stringify(await exported.json())).toContain(keeper.id);
    });
  });

  it('keeps every stored photo and file through all of the above, and stays up', async () => {
    expect((await api('GET', '/healthz')).status).toBe(200);
    // The bad edits aimed at it changed nothing, not even its timestamp.
    const photo = await photoWithStatus(keeper.id, 'ready');
    expect(photo).toMatchObject({ title: keeper.title, updatedAt: keeper.updatedAt });
    expect(photo.renditions.map((r) => r.bytes)).toEqual(keeper.renditions.map((r) => r.bytes));
    expect(await fileSizes()).toEqual(expect.arrayContaining(keeperFiles));
    const original = await fetch(new URL(photo.originalUrl ?? '', server.url));
    expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(keeper.sha256);
  });
});
