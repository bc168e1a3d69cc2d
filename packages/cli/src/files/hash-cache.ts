import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileDigest } from '@flickr-kit/sdk';
import type { LocalFile } from './walk.ts';

/** [size, mtimeMs, inode, sha256]: compact, since an archive has 100,000 of them. */
type Entry = [number, number, number, string];

interface CacheFile {
  version: 1;
  entries: Record<string, Entry>;
}

/**
 * Remembers each file's SHA-256 by path, size, modification time and inode,
 * so a rerun over an unchanged archive reads no file twice. A file whose
 * size, mtime or inode changed (edited, replaced, restored from backup) is
 * hashed again. Saved atomically, merged with what another run saved
 * meanwhile; a damaged cache file is ignored (it only costs rehashing).
 */
export class HashCache {
  readonly #file: string;
  readonly #entries: Map<string, Entry>;
  readonly #changed = new Map<string, Entry>();

  private constructor(file: string, entries: Map<string, Entry>) {
    this.#file = file;
    this.#entries = entries;
  }

  static async open(file: string): Promise<HashCache> {
    return new HashCache(file, await load(file));
  }

  get size(): number {
    return this.#entries.size;
  }

  lookup(file: LocalFile): FileDigest | undefined {
    const entry = this.#entries.get(file.path);
    if (!entry || entry[0] !== file.size || entry[1] !== file.mtimeMs || entry[2] !== file.ino)
      return undefined;
    return { sha256: entry[3], bytes: entry[0] };
  }

  remember(file: LocalFile, digest: FileDigest): void {
    const entry: Entry = [digest.bytes, file.mtimeMs, file.ino, digest.sha256];
    this.#entries.set(file.path, entry);
    this.#changed.set(file.path, entry);
  }

  forget(path: string): void {
    this.#entries.delete(path);
    this.#changed.delete(path);
  }

  /** Writes what changed since the last save, over what is on disk now. */
  async save(): Promise<void> {
    if (this.#changed.size === 0) return;
    const merged = await load(this.#file);
    for (const [path, entry] of this.#changed) merged.set(path, entry);
    const body: CacheFile = { version: 1, entries: Object.fromEntries(merged) };
    await mkdir(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(body), { mode: 0o600 });
      await rename(temporary, this.#file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    this.#changed.clear();
  }
}

async function load(file: string): Promise<Map<string, Entry>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
    if (parsed.version !== 1 || typeof parsed.entries !== 'object' || !parsed.entries)
      return new Map();
    return new Map(
      Object.entries(parsed.entries).filter(
        ([, entry]) => Array.isArray(entry) && entry.length === 4 && typeof entry[3] === 'string',
      ),
    );
  } catch {
    return new Map();
  }
}
