import type { Readable } from 'node:stream';

/** A file on local disk with a blob's or an upload's bytes, for code that needs a path. */
export interface LocalFile {
  path: string;
  /** Removes the file when it was a temporary copy; does nothing otherwise. */
  release(): Promise<void>;
}

/**
 * The store failed (a disk, a bucket), not the request: adapters throw it,
 * or an error with a `syscall` other than `read`, so callers answer a
 * server error rather than blame the body.
 */
export class StagingFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StagingFailure';
  }
}

export interface AppendOptions {
  /** Sees every chunk, in order, as it arrives. */
  onChunk?: ((chunk: Buffer) => void) | undefined;
  /** Stops the append: it rejects with the signal's reason, keeping what was written. */
  signal?: AbortSignal | undefined;
}

/**
 * Where resumable uploads accumulate until the saga stores them. It speaks
 * in bytes: the protocol above it (tus) decides offsets and lengths, checks
 * them under the upload's lock, and keeps the records.
 */
export interface UploadStaging {
  /** Starts an empty upload. */
  create(uploadId: string): Promise<void>;
  /** Bytes held for an upload; undefined when it has none (never created, or removed). */
  size(uploadId: string): Promise<number | undefined>;
  /**
   * Appends a body at `offset`, which must be the upload's size; resolves to
   * the new size. A body that fails midway, or a stop, rejects, leaving
   * what was written so far (`size` tells how much) and the body unconsumed.
   */
  append(
    uploadId: string,
    offset: number,
    body: Readable,
    options?: AppendOptions,
  ): Promise<number>;
  /** Cuts an upload back to `size` bytes (a body whose checksum failed is taken back). */
  truncate(uploadId: string, size: number): Promise<void>;
  /** The bytes of an upload, from the start. */
  read(uploadId: string): Promise<Readable>;
  /** The bytes as a local file, for decoders and copies that want a path. */
  localFile(uploadId: string): Promise<LocalFile>;
  /** Keeps a client-rendered thumbnail beside the upload until the saga stores it. */
  putThumbnail(uploadId: string, data: Uint8Array): Promise<void>;
  readThumbnail(uploadId: string): Promise<Buffer | undefined>;
  /** Forgets an upload's bytes and thumbnail; nothing else. Removing twice is fine. */
  remove(uploadId: string): Promise<void>;
}
