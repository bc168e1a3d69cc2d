import { originalKey, renditionKey } from '../domain/blob-keys.ts';
import type { RenditionPolicy } from '../domain/rendition-policy.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type { MetadataStore, PhotoRecord, RenditionRecord } from '../ports/metadata-store.ts';

/**
 * Every key a photo may have files under: its recorded renditions and
 * original, and every key the saga would have written for it, since a photo
 * deleted mid-saga has renditions written but never recorded (rows are
 * written when the saga ends). Keys are a function of the photo's folder,
 * fixed at the pivot, and the rendition policy.
 */
function keysOf(
  photo: PhotoRecord,
  recorded: readonly RenditionRecord[],
  policy: RenditionPolicy,
): Set<string> {
  const keys = new Set(recorded.map((rendition) => rendition.path));
  if (photo.originalKey) keys.add(photo.originalKey);
  keys.add(originalKey(photo));
  // A client's thumbnail is always a JPEG, whatever the server renders.
  keys.add(renditionKey(photo, policy.thumbnail.name, 'jpeg'));
  for (const spec of [policy.thumbnail, ...policy.others])
    keys.add(renditionKey(photo, spec.name, spec.format ?? 'jpeg'));
  return keys;
}

/**
 * Removes the files and rows of photos deleted more than `afterMs` ago.
 * Deleted photos are unreachable from the moment of deletion; this only
 * reclaims the space. Files go first, rows last, so a crash in between is
 * finished by the next run.
 */
export async function purgeDeletedPhotos(
  store: MetadataStore,
  stores: readonly BlobStore[],
  policy: RenditionPolicy,
  afterMs: number,
  now = Date.now(),
): Promise<number> {
  const due = await store.photos.deletedBefore(new Date(now - afterMs).toISOString(), 100);
  for (const photo of due) {
    const keys = keysOf(photo, await store.photos.renditions(photo.id), policy);
    for (const blobs of stores) for (const key of keys) await blobs.delete(key);
    await store.transaction((tx) => tx.photos.purge(photo.id));
  }
  return due.length;
}
