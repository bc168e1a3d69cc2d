// The purge job drains what is due in one run, batch after batch (a deleted
// account's photos go at once, not 100 every ten minutes), and a worker that
// stops ends the run between two photos instead of waiting for the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDeletedPhotos } from '../src/jobs/purge-deleted.ts';
import type { BlobStore } from '../src/ports/blob-store.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { seedPhotos } from './seed.ts';

describe('purgeDeletedPhotos', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.destroy());

  /** Photos of a fresh user, deleted an hour ago. */
  async function deletedPhotos(count: number): Promise<string[]> {
    const { userId } = await registerUser(server.url);
    const deletedAt = new Date(Date.now() - 3_600_000).toISOString();
    return seedPhotos(server.services.store, userId, count, { deletedAt });
  }

  /** A blob store that only tells, for each file it is asked to delete, whose photo it is. */
  function countingBlobs(onDelete: (photoId: string) => void): BlobStore {
    // Keys are `<user>/<album>/<resolution>/<photo id>.<ext>`.
    const photoOf = (key: string) => key.split('/')[3]?.split('.')[0] ?? key;
    return { delete: async (key: string) => onDelete(photoOf(key)) } as unknown as BlobStore;
  }

  const purge = (blobs: BlobStore, signal?: AbortSignal) =>
    purgeDeletedPhotos(
      server.services.store,
      [blobs],
      server.services.renditions,
      60_000,
      Date.now(),
      signal,
    );

  it('purges every photo due in one run, past one batch, and leaves the younger ones', async () => {
    const due = await deletedPhotos(230);
    const { userId } = await registerUser(server.url);
    const [young] = await seedPhotos(server.services.store, userId, 1, {
      deletedAt: new Date().toISOString(),
    });
    const photos = new Set<string>();
    const purged = await purge(countingBlobs((id) => photos.add(id)));
    expect(purged).toBe(230);
    for (const id of due) expect(await server.services.store.photos.byId(id)).toBeUndefined();
    expect(await server.services.store.photos.byId(young as string)).toBeDefined();
    expect([...photos].sort()).toEqual([...due].sort());
  });

  it('ends a run between two photos once its signal aborts; the next run finishes', async () => {
    const due = await deletedPhotos(30);
    const stop = new AbortController();
    const touched = new Set<string>();
    const purged = await purge(
      countingBlobs((id) => {
        touched.add(id);
        if (touched.size === 5) stop.abort();
      }),
      stop.signal,
    );
    expect(purged).toBe(5);
    const left = await Promise.all(due.map((id) => server.services.store.photos.byId(id)));
    expect(left.filter(Boolean)).toHaveLength(25);
    expect(await purge(countingBlobs(() => {}))).toBe(25);
  });
});
