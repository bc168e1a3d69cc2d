// The CDN benchmark's world: a server whose cdn folder holds real thumbnails
// of many photos, some public, some private and shared with a viewer, and the
// signed URLs the API hands out for them.
import { join } from 'node:path';
import { renderRenditions, THUMBNAIL_SPEC } from '@flickr-kit/thumbnail-core';
import { renditionKey } from '../src/domain/blob-keys.ts';
import {
  createTestDatabase,
  registerUser,
  startTestServer,
  type TestServer,
} from '../test/harness.ts';
import { seedPhotos } from '../test/seed.ts';
import { testPhoto } from '../test/uploads.ts';

/** A CDN tier (role `cdn`) on a data folder full of thumbnails, and URLs to fetch them by. */
export interface CdnFixture {
  /** The running CDN tier. */
  server: TestServer;
  /** The folder the CDN tier serves from, for a static-file server to serve the same files. */
  root: string;
  /** Signed thumbnail paths of public photos (viewer `-`), as an anonymous listing gives them. */
  publicPaths: string[];
  /** Signed thumbnail paths of private photos, for a viewer the owner granted access to. */
  privatePaths: string[];
  /** The blob keys of `publicPaths`, for a server that maps paths to files directly. */
  publicKeys: string[];
  /** Total size of the thumbnails, in bytes. */
  bytes: number;
}

/** Signed paths of every thumbnail in a user's photo list, as `viewerToken` sees it. */
async function listedThumbnails(
  url: string,
  username: string,
  visibility: 'public' | 'private',
  viewerToken?: string,
): Promise<string[]> {
  const paths: string[] = [];
  let after: string | null = null;
  do {
    const query: string = `limit=100${after ? `&after=${after}` : ''}`;
    const response = await fetch(`${url}/v1/users/${username}/photos?${query}`, {
      headers: viewerToken ? { authorization: `Bearer ${viewerToken}` } : {},
    });
    if (!response.ok) throw new Error(`listing answered ${response.status}`);
    const page = (await response.json()) as {
      items: { visibility: string; renditions: { name: string; url: string }[] }[];
      nextCursor: string | null;
    };
    for (const photo of page.items) {
      const thumbnail = photo.renditions.find((r) => r.name === 'thumbnail');
      if (photo.visibility === visibility && thumbnail) paths.push(thumbnail.url);
    }
    after = page.nextCursor;
  } while (after);
  return paths;
}

/**
 * Seeds `publicCount` public and `privateCount` private ready photos, renders
 * each one's thumbnail with thumbnail-core (the saga's own renderer and spec)
 * into the cdn folder, records the renditions, and collects the signed URLs
 * from the API. Photo rows are seeded and thumbnails rendered in-process
 * instead of uploaded, which takes seconds instead of minutes and leaves the
 * same files and rows the saga would. The setup server (role `all`) is then
 * stopped and the CDN tier alone (role `cdn`) started on the same data, so
 * no saga worker polls beside the measurements.
 */
export async function startCdnFixture(
  publicCount: number,
  privateCount: number,
): Promise<CdnFixture> {
  const database = await createTestDatabase();
  const setup = await startTestServer({}, { database });
  try {
    const owner = await registerUser(setup.url);
    const viewer = await registerUser(setup.url);
    const granted = await fetch(`${setup.url}/v1/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: viewer.username }),
    });
    if (granted.status !== 201) throw new Error(`granting answered ${granted.status}`);

    const { store, cdn, renditions } = setup.services;
    const ids = [
      ...(await seedPhotos(store, owner.userId, publicCount, { visibility: 'public' })),
      ...(await seedPhotos(store, owner.userId, privateCount, { visibility: 'private' })),
    ];
    let bytes = 0;
    for (const [seed, id] of ids.entries()) {
      const [thumbnail] = await renderRenditions(await testPhoto(seed, 320, 240), [THUMBNAIL_SPEC]);
      if (!thumbnail) throw new Error('thumbnail-core rendered nothing');
      const key = renditionKey({ ownerId: owner.userId, albumId: null, id }, 'thumbnail', 'jpeg');
      await cdn.put(key, thumbnail.data);
      bytes += thumbnail.bytes;
      await store.photos.putRenditions(id, [
        {
          photoId: id,
          name: thumbnail.name,
          path: key,
          width: thumbnail.width,
          height: thumbnail.height,
          bytes: thumbnail.bytes,
          format: thumbnail.format,
          renderedBy: 'server',
          specVersion: renditions.specVersion,
          createdAt: new Date().toISOString(),
        },
      ]);
    }

    const publicPaths = await listedThumbnails(setup.url, owner.username, 'public');
    const privatePaths = await listedThumbnails(setup.url, owner.username, 'private', viewer.token);
    if (publicPaths.length !== publicCount || privatePaths.length !== privateCount)
      throw new Error(
        `listed ${publicPaths.length}/${privatePaths.length} thumbnails, seeded ${publicCount}/${privateCount}`,
      );
    await setup.stop();
    const server = await startTestServer({}, { role: 'cdn', dataDir: setup.dataDir, database });
    return {
      server,
      // The local store's folder, as the static-file baseline serves it.
      root: join(setup.dataDir, 'cdn'),
      publicPaths,
      privatePaths,
      publicKeys: publicPaths.map((path) => path.slice('/cdn/'.length, path.indexOf('?'))),
      bytes,
    };
  } catch (error) {
    await setup.destroy();
    throw error;
  }
}
