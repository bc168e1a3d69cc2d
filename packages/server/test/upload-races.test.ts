// Real concurrency at the pivot: many final requests in flight at once for
// one user. On PostgreSQL nothing serialises them but the pivot itself.
import { TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { createUpload, patchUpload, tusRequest, uploadMetadata } from './tus-protocol.ts';
import { sha256, testPhoto } from './uploads.ts';

const QUOTA = 3;

describe('concurrent uploads by one user', () => {
  let server: TestServer;
  let seed = 8000;

  beforeAll(async () => {
    server = await startTestServer({
      FLICKR_FREE_TIER_PHOTOS: String(QUOTA),
      FLICKR_UPLOADS_PER_USER: '20',
    });
  });
  afterAll(() => server?.destroy());

  const livePhotos = (ownerId: string) => server.services.store.photos.countLive(ownerId);

  /** Every answer is a clean one: no 5xx, and no database text in any body. */
  async function bodies(answers: Response[]): Promise<{ status: number; body: string }[]> {
    const read = await Promise.all(
      answers.map(async (answer) => ({ status: answer.status, body: await answer.text() })),
    );
    for (const { status, body } of read) {
      expect(status, body).toBeLessThan(500);
      expect(body).not.toMatch(/transaction|duplicate key|constraint|SQLITE/i);
    }
    return read;
  }

  it('holds the photo quota when the last requests of many uploads land at once', async () => {
    const user = await registerUser(server.url);
    const files = await Promise.all(Array.from({ length: 8 }, () => testPhoto(seed++, 320, 240)));
    // Created one by one while the user has no photos: each passes admission.
    const urls: string[] = [];
    for (const file of files) urls.push(await createUpload(server.url, user.token, file));
    const answers = await bodies(
      await Promise.all(urls.map((url, i) => patchUpload(url, user.token, 0, files[i] as Buffer))),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(QUOTA);
    expect(statuses.filter((status) => status === 403)).toHaveLength(files.length - QUOTA);
    for (const { status, body } of answers)
      if (status === 403) expect(JSON.parse(body)).toMatchObject({ code: 'quota_exceeded' });
    expect(await livePhotos(user.userId)).toBe(QUOTA);
  });

  it('makes one photo of five uploads of the same bytes finishing at once, with five clean answers', async () => {
    const user = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const urls = await Promise.all(
      Array.from({ length: 5 }, () => createUpload(server.url, user.token, data)),
    );
    const answers = await bodies(
      await Promise.all(urls.map((url) => patchUpload(url, user.token, 0, data))),
    );
    const results = answers.map(({ status, body }) => {
      expect(status).toBe(200);
      return JSON.parse(body) as UploadResult;
    });
    expect(new Set(results.map((result) => result.photo.id)).size).toBe(1);
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(await livePhotos(user.userId)).toBe(1);
  });

  it('makes one photo of five creations carrying the same whole file at once', async () => {
    const user = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const answers = await bodies(
      await Promise.all(
        Array.from({ length: 5 }, () =>
          tusRequest(
            `${server.url}${TUS_PATH}/`,
            'POST',
            user.token,
            {
              'upload-length': String(data.length),
              'upload-metadata': uploadMetadata({ sha256: sha256(data), album: 'Same album' }),
              prefer: 'return=representation',
            },
            data,
          ),
        ),
      ),
    );
    const ids = answers.map(({ status, body }) => {
      expect(status).toBe(201);
      return (JSON.parse(body) as UploadResult).photo.id;
    });
    expect(new Set(ids).size).toBe(1);
    expect(await livePhotos(user.userId)).toBe(1);
    expect(await server.services.store.albums.listForOwner(user.userId)).toHaveLength(1);
  });
});
