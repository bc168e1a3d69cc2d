import type { FileDigest, FlickrClient } from '@flickr-kit/sdk';
import type { LocalFile } from '../files/walk.ts';
import { checkAll } from './check-all.ts';

export interface UploadStep {
  action: 'upload' | 'skip';
  file: LocalFile;
  reason?: 'exists' | 'duplicate-in-batch';
}

/**
 * What an upload of these files would do, asking the server as uploadMany
 * does (in batches of its `maxHashesPerCheck`): the first file of each
 * content the server lacks is uploaded, the rest skipped.
 */
export async function planUploads(
  client: FlickrClient,
  files: readonly LocalFile[],
  digests: ReadonlyMap<string, FileDigest>,
  signal: AbortSignal,
): Promise<UploadStep[]> {
  const hashes = [...digests.values()].map((digest) => digest.sha256);
  const { maxHashesPerCheck } = await client.limits.get({ signal });
  const existing = await checkAll(client, hashes, signal, maxHashesPerCheck);
  const known = new Set(existing.map((item) => item.sha256));
  const planned = new Set<string>();
  const steps: UploadStep[] = [];
  for (const file of files) {
    const digest = digests.get(file.path);
    if (!digest) continue;
    if (known.has(digest.sha256)) steps.push({ action: 'skip', file, reason: 'exists' });
    else if (planned.has(digest.sha256))
      steps.push({ action: 'skip', file, reason: 'duplicate-in-batch' });
    else {
      planned.add(digest.sha256);
      steps.push({ action: 'upload', file });
    }
  }
  return steps;
}
