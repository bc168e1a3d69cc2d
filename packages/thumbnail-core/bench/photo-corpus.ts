import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(new URL('../../../../shared/tools/photo-corpus.sh', import.meta.url));

/**
 * The large real photographs for benchmarks: `FLICKR_PHOTO_CORPUS`, or the
 * folder `../shared/tools/photo-corpus.sh` extracts. Undefined when neither exists.
 */
export async function photoCorpus(): Promise<string[] | undefined> {
  let dir = process.env.FLICKR_PHOTO_CORPUS;
  if (!dir) {
    try {
      dir = (await promisify(execFile)('bash', [SCRIPT])).stdout.trim();
    } catch {
      return undefined;
    }
  }
  const names = await readdir(dir);
  return names
    .filter((name) => /\.jpe?g$/i.test(name))
    .sort()
    .map((name) => join(dir, name));
}
