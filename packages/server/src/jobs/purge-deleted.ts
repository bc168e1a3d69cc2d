import type { BlobStore } from '../ports/blob-store.ts';
import type { MetadataStore } from '../ports/metadata-store.ts';

/**
 * Removes the files and rows of photos deleted more than `afterMs` ago.
 * Deleted photos are unreachable from the moment of deletion; this only
 * reclaims the space. Files go first, rows last, so a crash in between is
 * finished by the next run.
 */
export async function purgeDeletedPhotos(
  store: MetadataStore,
  stores: readonly BlobStore[],
  afterMs: number,
  now = Date.now(),
): Promise<number> {
  const due = await store.photos.deletedBefore(new Date(now - afterMs).toISOString(), 100);
  for (const photo of due) {
    const keys = (await store.photos.renditions(photo.id)).map((rendition) => rendition.path);
    if (photo.originalKey) keys.push(photo.originalKey);
    for (const blobs of stores) for (const key of keys) await blobs.delete(key);
    await store.transaction((tx) => tx.photos.purge(photo.id));
  }
  return due.length;
}
