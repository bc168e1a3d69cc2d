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

/** Photos read at a time; a run goes on batch after batch until none is due. */
const BATCH = 100;

/**
 * Removes the files and rows of photos deleted more than `afterMs` ago.
 * Deleted photos are unreachable from the moment of deletion; this only
 * reclaims the space. Files go first, rows last, so a crash in between is
 * finished by the next run. A run drains what is due (a deleted account's
 * 100,000 photos go in one run, not 100 every ten minutes for a week) and
 * ends between two photos once `signal` aborts (the worker stopping).
 */
export async function purgeDeletedPhotos(
  store: MetadataStore,
  stores: readonly BlobStore[],
  policy: RenditionPolicy,
  afterMs: number,
  now = Date.now(),
  signal?: AbortSignal,
): Promise<number> {
  const before = new Date(now - afterMs).toISOString();
  const purged = new Set<string>();
  for (;;) {
    const due = await store.photos.deletedBefore(before, BATCH);
    for (const photo of due) {
      // A photo seen twice was not purged: the next run tries again, this one stops.
      if (signal?.aborted || purged.has(photo.id)) return purged.size;
      const keys = keysOf(photo, await store.photos.renditions(photo.id), policy);
      for (const blobs of stores) for (const key of keys) await blobs.delete(key);
      await store.transaction((tx) => tx.photos.purge(photo.id));
      purged.add(photo.id);
    }
    if (due.length < BATCH) return purged.size;
  }
}
