import type { Readable } from 'node:stream';
import { checkHashes } from '../contract/uploads.ts';
import type { RequestOptions } from '../core/transport.ts';
import { asLocalFile, digestOf } from '../uploads/local-file.ts';
import {
  type UploadManyFile,
  type UploadManyOptions,
  type UploadReportEntry,
  uploadMany,
} from '../uploads/many/upload-many.ts';
import {
  findExisting,
  type PhotoMetadata,
  sendFile,
  type UploadContext,
  type UploadFileOptions,
  type UploadFileResult,
} from '../uploads/upload-file.ts';

/** Deduplicating, resumable uploads. */
export class Uploads {
  readonly #context: UploadContext;

  constructor(context: UploadContext) {
    this.#context = context;
  }

  /** Which of these SHA-256 hashes (at most the server's `maxHashesPerCheck`) the caller already has. */
  check(sha256: string[], options?: RequestOptions) {
    return this.#context.transport.call(checkHashes, { body: { sha256 } }, options);
  }

  /**
   * Uploads one photo from a path, a stream or a buffer: hashes it, skips it
   * when the server already has it (returning that photo), otherwise sends
   * it over tus, resuming an earlier interrupted attempt. A stream is
   * spooled to a temporary file first, so that it can be hashed and resumed.
   */
  async uploadFile(
    input: string | Buffer | Readable,
    metadata: PhotoMetadata = {},
    options: UploadFileOptions = {},
  ): Promise<UploadFileResult> {
    const file = await asLocalFile(input, options.signal);
    try {
      const digest = await digestOf(file, options.signal);
      const existing = await findExisting(this.#context.transport, digest.sha256, options);
      if (existing) return { status: 'skipped', ...digest, photoId: existing.id, photo: existing };
      const result = await sendFile(this.#context, file, digest, metadata, options);
      if (result.duplicate)
        return { status: 'skipped', ...digest, photoId: result.photo.id, photo: result.photo };
      return {
        status: 'uploaded',
        ...digest,
        photo: result.photo,
        clientThumbnail: result.clientThumbnail,
      };
    } finally {
      await file.cleanup();
    }
  }

  /** Uploads many files with a per-file report; see {@link uploadMany}. */
  uploadMany(
    files: readonly (string | UploadManyFile)[],
    options?: UploadManyOptions,
  ): Promise<UploadReportEntry[]> {
    return uploadMany(
      this.#context,
      (hashes, signal) => this.check(hashes, signal ? { signal } : {}),
      files,
      options,
    );
  }
}
