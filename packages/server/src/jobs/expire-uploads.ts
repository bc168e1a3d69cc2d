import type { UploadRepository } from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';

/**
 * Removes resumable uploads nobody finished before their `Upload-Expires`
 * (their last activity plus the expiry period), bytes and state alike.
 * Finished uploads never expire: the saga needs their bytes until it has
 * stored them, however long it is backed up or parked, and removes them then.
 */
export async function expireAbandonedUploads(
  uploads: UploadRepository,
  staging: UploadStaging,
  now = new Date(),
): Promise<number> {
  const expired = await uploads.expiredBefore(now.toISOString());
  for (const upload of expired) await staging.remove(upload.id);
  return expired.length;
}
