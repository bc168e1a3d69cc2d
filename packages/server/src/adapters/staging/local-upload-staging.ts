import { statSync } from 'node:fs';
import { mkdir, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppendOptions, LocalFile, UploadStaging } from '../../ports/upload-staging.ts';
import { appendFile } from './append-file.ts';
import { UPLOAD_ID } from './upload-id.ts';

/** Uploads staged as one file each (and a `.thumbnail` beside it) under one folder. */
export class LocalUploadStaging implements UploadStaging {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  #path(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`Not an upload id: ${JSON.stringify(uploadId)}`);
    return join(this.directory, uploadId);
  }

  /** An empty file; the folder is made on the first ENOENT, not on every creation. */
  async create(uploadId: string): Promise<void> {
    const path = this.#path(uploadId);
    const file = await open(path, 'w').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(this.directory, { recursive: true });
      return open(path, 'w');
    });
    await file.close();
  }

  /**
   * A synchronous stat: a few microseconds on an inode the kernel has cached
   * (the upload's own, just written). The asynchronous one queued behind
   * file writes in libuv's four threads, 0.25 ms (median) to 1 ms (mean)
   * before each PATCH could start in the timeline trace.
   */
  async size(uploadId: string): Promise<number | undefined> {
    const file = statSync(this.#path(uploadId), { throwIfNoEntry: false });
    return file?.isFile() ? file.size : undefined;
  }

  append(
    uploadId: string,
    offset: number,
    body: Readable,
    options?: AppendOptions,
  ): Promise<number> {
    return appendFile(body, this.#path(uploadId), offset, options);
  }

  async truncate(uploadId: string, size: number): Promise<void> {
    await truncate(this.#path(uploadId), size);
  }

  async read(uploadId: string): Promise<Readable> {
    // Opened before it is handed out, so a missing upload rejects here rather than in the stream.
    const file = await open(this.#path(uploadId), 'r');
    // 1 MiB reads: a concatenation copies whole uploads, 16 times fewer calls than the default.
    return file.createReadStream({ highWaterMark: 1 << 20 });
  }

  async localFile(uploadId: string): Promise<LocalFile> {
    const path = this.#path(uploadId);
    if ((await this.size(uploadId)) === undefined) {
      throw Object.assign(new Error(`No staged upload ${uploadId}`), { code: 'ENOENT' });
    }
    return { path, release: async () => {} };
  }

  async putThumbnail(uploadId: string, data: Uint8Array): Promise<void> {
    await writeFile(`${this.#path(uploadId)}.thumbnail`, data);
  }

  async readThumbnail(uploadId: string): Promise<Buffer | undefined> {
    return readFile(`${this.#path(uploadId)}.thumbnail`).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
  }

  async remove(uploadId: string): Promise<void> {
    const path = this.#path(uploadId);
    await rm(path, { force: true });
    await rm(`${path}.thumbnail`, { force: true });
  }
}
