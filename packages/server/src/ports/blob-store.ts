import type { Readable } from 'node:stream';

export interface BlobInfo {
  bytes: number;
  /** A validator that changes whenever the blob's bytes do, for HTTP ETags. */
  etag?: string;
}

/**
 * A key outside the layout (a path that climbs, an empty or hidden
 * segment). Every store refuses such keys with this error, so callers can
 * answer "not found" without knowing which store they talk to.
 */
export class InvalidBlobKeyError extends Error {
  constructor(key: string) {
    super(`Invalid blob key: ${JSON.stringify(key)}`);
    this.name = 'InvalidBlobKeyError';
  }
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP ranges. */
  end: number;
}

/**
 * Where files live, by key (`<user>/<album>/<resolution>/<file>`). Writes
 * are atomic: a reader sees the whole blob or none of it.
 */
export interface BlobStore {
  /** Writes a blob from a local file, replacing any blob with that key. */
  putFile(key: string, path: string): Promise<BlobInfo>;
  put(key: string, data: Uint8Array): Promise<BlobInfo>;
  stat(key: string): Promise<BlobInfo | undefined>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * A local file with the blob's bytes, for code that needs a path (image
   * decoders). `release` removes it when it was a temporary copy.
   */
  localFile(key: string): Promise<{ path: string; release(): Promise<void> }>;
  /** Copies a blob to another store (the CDN tier's), under the same key. */
  copyTo(key: string, target: BlobStore): Promise<BlobInfo>;
  delete(key: string): Promise<void>;
  /**
   * Removes what writers that died left behind (partial files, abandoned
   * multipart uploads) older than `olderThanMs`; returns how many.
   */
  sweepIncoming(olderThanMs: number): Promise<number>;
}
