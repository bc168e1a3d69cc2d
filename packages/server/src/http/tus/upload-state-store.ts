import type { KvStore, Upload } from '@tus/utils';
import type { UploadRepository } from '../../ports/metadata-store.ts';

/**
 * Keeps tus upload state in the `uploads` table instead of JSON files beside
 * the data, so it is transactional, shared by every API process, and the
 * owner and expiry are columns a job can query.
 */
export class UploadStateStore implements KvStore<Upload> {
  readonly #uploads: UploadRepository;
  readonly #expiryMs: number;

  constructor(uploads: UploadRepository, expiryMs: number) {
    this.#uploads = uploads;
    this.#expiryMs = expiryMs;
  }

  async get(key: string): Promise<Upload | undefined> {
    const record = await this.#uploads.byId(key);
    return record ? (JSON.parse(record.state) as Upload) : undefined;
  }

  async set(key: string, value: Upload): Promise<void> {
    const created = value.creation_date ?? new Date().toISOString();
    await this.#uploads.put({
      id: key,
      ownerId: value.metadata?.owner ?? null,
      state: JSON.stringify(value),
      createdAt: created,
      expiresAt: new Date(Date.parse(created) + this.#expiryMs).toISOString(),
    });
  }

  async delete(key: string): Promise<void> {
    await this.#uploads.delete(key);
  }

  async list(): Promise<string[]> {
    return this.#uploads.ids();
  }
}
