import type { UploadRepository } from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';

/**
 * Removes resumable uploads nobody finished before their `Upload-Expires`,
 * bytes and state alike. Finished uploads are removed by the saga.
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
