import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Remembers where each file's resumable upload lives (its tus URL), keyed
 * by a fingerprint of the file and the server, so an upload interrupted by
 * a crash resumes from the last byte the server holds, even in a new process.
 */
export interface UploadStateStore {
  get(fingerprint: string): Promise<string | undefined>;
  set(fingerprint: string, uploadUrl: string): Promise<void>;
  delete(fingerprint: string): Promise<void>;
}

/** For tests and short-lived scripts: resume works within the process only. */
export class MemoryUploadStateStore implements UploadStateStore {
  readonly #urls = new Map<string, string>();
  async get(fingerprint: string) {
    return this.#urls.get(fingerprint);
  }
  async set(fingerprint: string, uploadUrl: string) {
    this.#urls.set(fingerprint, uploadUrl);
  }
  async delete(fingerprint: string) {
    this.#urls.delete(fingerprint);
  }
}

/** `$XDG_CACHE_HOME/flickr-kit/uploads`, or `~/.cache/flickr-kit/uploads`. */
export function defaultUploadStateDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'flickr-kit', 'uploads');
}

/**
 * One small file per upload in a folder: no shared file to lock, so any
 * number of processes can upload at once; writes are atomic renames.
 */
export class FileUploadStateStore implements UploadStateStore {
  readonly dir: string;

  constructor(dir: string = defaultUploadStateDir()) {
    this.dir = dir;
  }

  #path(fingerprint: string): string {
    if (!/^[0-9a-f]{16,128}$/.test(fingerprint))
      throw new RangeError(`not a fingerprint: ${fingerprint}`);
    return join(this.dir, `${fingerprint}.json`);
  }

  async get(fingerprint: string): Promise<string | undefined> {
    try {
      const { uploadUrl } = JSON.parse(await readFile(this.#path(fingerprint), 'utf8')) as {
        uploadUrl?: unknown;
      };
      return typeof uploadUrl === 'string' ? uploadUrl : undefined;
    } catch {
      return undefined;
    }
  }

  async set(fingerprint: string, uploadUrl: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = join(this.dir, `.${randomUUID()}.tmp`);
    await writeFile(temporary, JSON.stringify({ uploadUrl, savedAt: new Date().toISOString() }), {
      mode: 0o600,
    });
    await rename(temporary, this.#path(fingerprint));
  }

  async delete(fingerprint: string): Promise<void> {
    await rm(this.#path(fingerprint), { force: true });
  }
}
