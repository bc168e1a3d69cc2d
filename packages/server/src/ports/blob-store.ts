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

/**
 * No blob under the key (or it went while being read). It carries the file
 * system's code, `ENOENT`, so code that checks for a missing file reads a
 * missing blob the same way, whichever store it came from.
 */
export class BlobNotFoundError extends Error {
  readonly code = 'ENOENT';
  constructor(key: string, options?: ErrorOptions) {
    super(`No blob under ${JSON.stringify(key)}`, options);
    this.name = 'BlobNotFoundError';
  }
}

/** Headers the store answers a direct URL's GET with, as the server would have. */
export interface DirectUrlHeaders {
  cacheControl: string;
  contentType: string;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP ranges. */
  end: number;
}

/**
 * Where files live, by key (`<user>/<album>/<resolution>/<file>`). Writes
 * are atomic: a reader sees the whole blob or none of it, and of writers
 * racing on one key, one wins whole. A key outside the layout is refused
 * with {@link InvalidBlobKeyError} by every method; reading a key that holds
 * no blob fails with {@link BlobNotFoundError}. `test/contracts/blob-store.contract.ts`
 * is the executable form of these promises, and every adapter passes it.
 */
export interface BlobStore {
  /**
   * Writes a blob from a local file, streamed, replacing any blob with that
   * key. Answers what `stat` would answer right after.
   */
  putFile(key: string, path: string): Promise<BlobInfo>;
  /** Writes a small blob from memory (a rendition), as `putFile` does. */
  put(key: string, data: Uint8Array): Promise<BlobInfo>;
  /** The blob's size and validator; undefined when the key holds no blob. */
  stat(key: string): Promise<BlobInfo | undefined>;
  /**
   * The blob's bytes as a stream, all of them or one range. A range that is
   * not whole numbers with `start <= end`, or that starts past the blob's
   * last byte, is refused with a `RangeError`; an end past the last byte
   * reads to the end, as HTTP ranges do.
   */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * A local file with the blob's bytes, for code that needs a path (image
   * decoders). `release` removes it when it was a temporary copy.
   */
  localFile(key: string): Promise<{ path: string; release(): Promise<void> }>;
  /**
   * A URL from which a client fetches the blob straight from the store,
   * valid for `seconds`, answered with `headers` (the store's own GET: an S3
   * presigned URL). Stores that clients cannot reach (local files) leave it
   * out. Signing is local: the blob is not looked up.
   */
  directUrl?(key: string, seconds: number, headers: DirectUrlHeaders): Promise<string>;
  /** Copies a blob to another store (the CDN tier's), under the same key. */
  copyTo(key: string, target: BlobStore): Promise<BlobInfo>;
  delete(key: string): Promise<void>;
  /**
   * Removes what writers that died left behind (partial files, abandoned
   * multipart uploads) older than `olderThanMs`; returns how many.
   */
  sweepIncoming(olderThanMs: number): Promise<number>;
}
