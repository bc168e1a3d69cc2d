import type { KvStore, Upload } from '@tus/utils';
import type { UploadRepository } from '../../ports/metadata-store.ts';

/**
 * Keeps tus upload state in the `uploads` table instead of JSON files beside
 * the data, so it is transactional, shared by every API process, and the
 * owner and expiry are columns a job can query. An unfinished upload expires
 * `expiryMs` after its last activity (creation, or bytes received), as the
 * configuration documents: a slow upload that keeps sending stays alive.
 */
export class UploadStateStore implements KvStore<Upload> {
  readonly #uploads: UploadRepository;
  readonly expiryMs: number;

  constructor(uploads: UploadRepository, expiryMs: number) {
    this.#uploads = uploads;
    this.expiryMs = expiryMs;
  }

  async get(key: string): Promise<Upload | undefined> {
    return (await this.read(key))?.upload;
  }

  /** The upload and its last activity (undefined once finished), from one read of its row. */
  async read(key: string): Promise<{ upload: Upload; lastActivity: Date | undefined } | undefined> {
    const record = await this.#uploads.byId(key);
    if (!record) return undefined;
    return {
      upload: JSON.parse(record.state) as Upload,
      lastActivity: record.expiresAt
        ? new Date(Date.parse(record.expiresAt) - this.expiryMs)
        : undefined,
    };
  }

  async set(key: string, value: Upload): Promise<void> {
    const now = Date.now();
    await this.#uploads.put({
      id: key,
      ownerId: value.metadata?.owner ?? null,
      state: JSON.stringify(value),
      createdAt: value.creation_date ?? new Date(now).toISOString(),
      expiresAt: new Date(now + this.expiryMs).toISOString(),
    });
  }

  /** Records activity on an unfinished upload; returns its new expiry. */
  async touch(key: string): Promise<Date> {
    const expires = new Date(Date.now() + this.expiryMs);
    await this.#uploads.touch(key, expires.toISOString());
    return expires;
  }

  /** When the upload was last active, for unfinished uploads; undefined once finished or gone. */
  async lastActivity(key: string): Promise<Date | undefined> {
    return (await this.read(key))?.lastActivity;
  }

  async delete(key: string): Promise<void> {
    await this.#uploads.delete(key);
  }

  async list(): Promise<string[]> {
    return this.#uploads.ids();
  }
}
