import type { UploadRepository } from '../ports/metadata-store.ts';
import type { UploadStaging } from '../ports/upload-staging.ts';

/** Records a run goes through at most, so one run stays short however much has piled up. */
const BATCH = 500;

/**
 * Removes uploads past their expiry. An unfinished one goes with its bytes:
 * nobody sent any for the whole period. A finished one only loses its
 * record (its client could ask about it until now); its bytes, when its
 * photo is new, are the saga's until stored, however long the saga is
 * backed up or parked, and the saga removes them then.
 */
export async function expireAbandonedUploads(
  uploads: UploadRepository,
  staging: UploadStaging,
  now = new Date(),
): Promise<number> {
  let removed = 0;
  for (;;) {
    const expired = await uploads.expiredBefore(now.toISOString(), BATCH);
    for (const upload of expired) {
      const sagaOwnsBytes = upload.outcome?.kind === 'photo' && !upload.outcome.duplicate;
      if (!sagaOwnsBytes) await staging.remove(upload.id);
      await uploads.delete(upload.id);
    }
    removed += expired.length;
    if (expired.length < BATCH) return removed;
  }
}
