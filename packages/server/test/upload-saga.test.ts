import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Photo } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { sha256, testPhoto, uploadPhoto } from './uploads.ts';

async function getPhoto(server: TestServer, token: string, id: string): Promise<Photo> {
  const response = await fetch(`${server.url}/v1/photos/${id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Photo;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes('.incoming'))
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('upload saga', () => {
  let server: TestServer;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_RENDITIONS: 'medium:320:webp' });
    ({ token, userId } = await registerUser(server.url));
  });
  afterAll(() => server.destroy());

  it('records the photo at the pivot and makes it ready with every rendition', async () => {
    const data = await testPhoto(1);
    const result = await uploadPhoto(server.url, data, {
      token,
      metadata: {
        title: 'Dawn',
        tags: 'sky, morning ,sky',
        album: 'Holidays 2026',
        visibility: 'public',
      },
    });
    expect(result.duplicate).toBe(false);
    expect(result.photo).toMatchObject({
      status: 'processing',
      sha256: sha256(data),
      bytes: data.length,
      title: 'Dawn',
      tags: ['sky', 'morning'],
      visibility: 'public',
      width: 640,
      height: 480,
      album: { name: 'Holidays 2026' },
    });

    const ready = await eventually(async () => {
      const photo = await getPhoto(server, token, result.photo.id);
      return photo.status === 'ready' ? photo : undefined;
    });
    expect(
      ready.renditions.map((r) => [r.name, r.width, r.height, r.format, r.renderedBy]),
    ).toEqual([
      ['thumbnail', 50, 38, 'jpeg', 'server'],
      ['medium', 320, 240, 'webp', 'server'],
    ]);
    expect(ready.placeholder).toMatch(/^[A-Za-z0-9+/=]{20,}$/);

    const album = result.photo.album?.id;
    const expected = [
      `${userId}/${album}/medium/${ready.id}.webp`,
      `${userId}/${album}/original/${ready.id}.jpg`,
      `${userId}/${album}/thumbnail/${ready.id}.jpg`,
    ];
    expect(await filesUnder(join(server.dataDir, 'blobs'))).toEqual(expected);
    expect(await filesUnder(join(server.dataDir, 'cdn'))).toEqual(expected);
    // The staged upload is gone once the original is stored.
    expect(await filesUnder(join(server.dataDir, 'uploads'))).toEqual([]);
  });

  it('answers a second upload of the same file with the existing photo', async () => {
    const data = await testPhoto(2);
    const first = await uploadPhoto(server.url, data, { token });
    const second = await uploadPhoto(server.url, data, {
      token,
      metadata: { filename: 'renamed.jpg' },
    });
    expect(second.duplicate).toBe(true);
    expect(second.photo.id).toBe(first.photo.id);
    expect(second.photo.originalName).toBe('photo.jpg');
  });
});
