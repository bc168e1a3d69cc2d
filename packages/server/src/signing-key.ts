import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const BYTES = 32;

/**
 * The secret that signs CDN URLs and list cursors. Every API and CDN
 * process must share it: `FLICKR_SIGNING_KEY` (hex) when several machines
 * run, otherwise a key created on first start in the data folder (mode 0600).
 */
export async function loadSigningKey(
  dataDir: string,
  configured: string | undefined,
): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'hex');
  const path = join(dataDir, 'signing-key');
  try {
    const stored = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
    if (stored.length >= BYTES) return stored;
    throw new Error(`${path} holds fewer than ${BYTES} bytes of hex; remove it to make a new key`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(BYTES);
  // 'wx': if another process created it first, use theirs.
  try {
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return loadSigningKey(dataDir, configured);
    throw error;
  }
}
