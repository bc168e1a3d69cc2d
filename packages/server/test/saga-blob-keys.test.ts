import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Album, Photo } from '@flickr-kit/sdk/contract';
import { RENDER_SPEC_VERSION, renderRenditions } from '@flickr-kit/thumbnail-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDeletedPhotos } from '../src/jobs/purge-deleted.ts';
import { STEPS, type Step } from '../src/saga/steps.ts';
import { callApi } from './api-calls.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

/** A photo's files under a store's folder, relative to it. */
async function filesOf(root: string, photoId: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.startsWith(photoId))
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

describe('saga blob keys', () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let seed = 1300;

  beforeAll(async () => {
    // API only: each test runs a worker whose steps do something to the photo mid-saga.
    server = await startTestServer(
      { FLICKR_RENDITIONS: 'medium:320:webp', FLICKR_SAGA_MAX_ATTEMPTS: '2' },
      { role: 'serve' },
    );
    owner = await registerUser(server.url);
  });
  afterAll(() => server?.destroy());

  const api = <T = Photo>(method: string, path: string, body?: unknown) =>
    callApi<T>(server.url, owner, method, path, body);

  /** Runs the saga with `step` replaced until the photo leaves `processing`, or its events are gone. */
  async function runSaga(photoId: string, replaced: Partial<typeof STEPS>): Promise<void> {
    const worker = startInProcessWorker(server.services, {
      concurrency: 1,
      steps: { ...STEPS, ...replaced },
    });
    try {
      await eventually(
        async () => {
          const photo = await server.services.store.photos.byId(photoId);
          const events = await server.services.store.outbox.forPhoto(photoId);
          return photo?.status !== 'processing' || events.length === 0 ? true : undefined;
        },
        20_000,
        'the saga to end',
      );
    } finally {
      await worker.stop(5_000);
    }
  }

  /** Uploads a photo into an album, with the thumbnail rendered client-side, as the SDK does. */
  async function uploadIntoAlbum(albumName: string): Promise<Photo> {
    const data = await testPhoto(seed++);
    const [thumbnail] = await renderRenditions(data);
    const result = await uploadPhoto(server.url, data, {
      token: owner.token,
      metadata: {
        album: albumName,
        thumbnail: (thumbnail as { data: Buffer }).data.toString('base64'),
        thumbnailSpecVersion: RENDER_SPEC_VERSION,
        clientVersion: 'flickr-sdk/0.1.0',
      },
    });
    expect(result.clientThumbnail).toBe('accepted');
    return result.photo;
  }

  /** Every file of a ready photo, in both stores, is under the album it was uploaded to. */
  async function expectFilesUnder(photo: Photo, albumId: string): Promise<void> {
    const expected = [
      `${owner.userId}/${albumId}/medium/${photo.id}.webp`,
      `${owner.userId}/${albumId}/original/${photo.id}.jpg`,
      `${owner.userId}/${albumId}/thumbnail/${photo.id}.jpg`,
    ];
    for (const store of ['blobs', 'cdn'])
      expect(await filesOf(join(server.dataDir, store), photo.id), store).toEqual(expected);
  }

  /** Runs `change` once, just before the original is published: after it was stored, before renditions. */
  const before = (change: () => Promise<void>): Step => {
    return async (context, photo, event) => {
      await change();
      return STEPS.publish_original(context, photo, event);
    };
  };

  it('keeps every file of a photo moved to another album mid-saga in the album it was uploaded to', async () => {
    const photo = await uploadIntoAlbum('Spring');
    const autumn = (await api<Album>('POST', '/v1/albums', { name: 'Autumn' })).body;
    await runSaga(photo.id, {
      publish_original: before(async () => {
        expect((await api('PATCH', `/v1/photos/${photo.id}`, { albumId: autumn.id })).status).toBe(
          200,
        );
      }),
    });

    const { body: ready } = await api('GET', `/v1/photos/${photo.id}`);
    expect(ready).toMatchObject({ status: 'ready', album: { id: autumn.id } });
    expect((ready as Photo).renditions.map((r) => [r.name, r.renderedBy])).toEqual([
      ['thumbnail', 'client'],
      ['medium', 'server'],
    ]);
    await expectFilesUnder(photo, photo.album?.id as string);
    for (const rendition of (ready as Photo).renditions)
      expect((await fetch(new URL(rendition.url, server.url))).status).toBe(200);
  });

  it('finishes a photo whose album is deleted mid-saga, its files where they were started', async () => {
    const photo = await uploadIntoAlbum('Doomed');
    await runSaga(photo.id, {
      publish_original: before(async () => {
        expect((await api('DELETE', `/v1/albums/${photo.album?.id}`)).status).toBe(204);
      }),
    });
    const { body: ready } = await api('GET', `/v1/photos/${photo.id}`);
    expect(ready).toMatchObject({ status: 'ready', statusReason: null, album: null });
    await expectFilesUnder(photo, photo.album?.id as string);
  });

  it('purges the renditions of a photo deleted mid-saga, which were written but never recorded', async () => {
    const { photo } = await uploadPhoto(server.url, await testPhoto(seed++), {
      token: owner.token,
      metadata: { album: 'Gone soon' },
    });
    await runSaga(photo.id, {
      render_renditions: async (context, record, event) => {
        const outcome = await STEPS.render_renditions(context, record, event);
        expect((await api('DELETE', `/v1/photos/${photo.id}`)).status).toBe(204);
        return outcome;
      },
    });
    expect(await server.services.store.photos.renditions(photo.id)).toEqual([]);
    const blobs = join(server.dataDir, 'blobs');
    expect(await filesOf(blobs, photo.id)).toHaveLength(3);

    await purgeDeletedPhotos(
      server.services.store,
      [server.services.cdn, server.services.blobs],
      server.services.renditions,
      0,
    );
    expect(await filesOf(blobs, photo.id)).toEqual([]);
    expect(await filesOf(join(server.dataDir, 'cdn'), photo.id)).toEqual([]);
    expect(await server.services.store.photos.byId(photo.id)).toBeUndefined();
  });
});
