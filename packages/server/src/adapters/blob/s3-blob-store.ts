import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type BlobInfo,
  BlobNotFoundError,
  type BlobStore,
  type ByteRange,
  type DirectUrlHeaders,
} from '../../ports/blob-store.ts';
import { blobKeySegments, checkByteRange } from './blob-key.ts';

const MiB = 2 ** 20;

/** The largest object one CopyObject copies; larger ones are streamed through this process. */
const MAX_COPY_BYTES = 5 * 1024 * MiB;

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /**
   * Put before every key, e.g. `cdn/`: one bucket can hold the private store
   * and the CDN tier's. Empty, or segments ending in `/`.
   */
  prefix?: string;
  /**
   * A local folder for {@link S3BlobStore.localFile}'s temporary copies (on
   * disk, not a tmpfs: originals go there whole). sweepIncoming clears what
   * a process that died left in it.
   */
  scratchDir: string;
  /**
   * Size of the parts of a multipart upload (5 MiB at least, as S3 requires;
   * larger when a file would need more than S3's 10,000 parts). An upload
   * holds `partSize × queueSize` bytes in memory at most.
   */
  partSize?: number;
  /** Parts of one upload in flight at once. */
  queueSize?: number;
}

/** An S3 error by its code; a missing key is `NoSuchKey`, or `NotFound` for a HEAD (which has no body). */
const isS3Error = (error: unknown, ...names: string[]): error is S3ServiceException =>
  error instanceof S3ServiceException && names.includes(error.name);

/** S3 quotes its ETags; the port's validator is the bare value (HTTP quotes it again). */
const unquote = (etag: string | undefined) => etag?.replace(/^"(.*)"$/, '$1');

/**
 * Blobs as objects in an S3-compatible bucket, the key (under an optional
 * prefix) their object name. Every write is one PutObject or one completed
 * multipart upload, which S3 makes visible whole or not at all: a reader
 * never sees half a blob, and of writers racing on a key the last to finish
 * wins whole. Bytes are streamed both ways; no file is held in memory.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #scratchDir: string;
  readonly #partSize: number | undefined;
  readonly #queueSize: number;

  constructor(options: S3BlobStoreOptions) {
    const prefix = options.prefix ?? '';
    if (prefix !== '') blobKeySegments(prefix.replace(/\/$/, ''));
    if (prefix !== '' && !prefix.endsWith('/'))
      throw new Error(`An S3 key prefix ends with "/": ${JSON.stringify(prefix)}`);
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix;
    this.#scratchDir = options.scratchDir;
    this.#partSize = options.partSize;
    this.#queueSize = options.queueSize ?? 4;
  }

  /** Where the blobs are, for logs: `s3://bucket/prefix`. */
  get location(): string {
    return `s3://${this.#bucket}/${this.#prefix}`;
  }

  /**
   * Fails unless the bucket answers: a missing bucket, wrong credentials or
   * a wrong region are found at start, not at the first upload. (A HEAD of
   * a missing object and of a missing bucket look alike.)
   */
  async check(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (error) {
      throw new Error(
        `The S3 bucket ${JSON.stringify(this.#bucket)} did not answer (${(error as Error).name}: ${(error as Error).message}): check that it exists, the endpoint, the region and the credentials`,
        { cause: error },
      );
    }
  }

  #objectKey(key: string): string {
    blobKeySegments(key);
    return this.#prefix + key;
  }

  async #upload(key: string, body: Readable | Uint8Array, bytes: number): Promise<BlobInfo> {
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: this.#objectKey(key), Body: body, ContentLength: bytes },
      ...(this.#partSize ? { partSize: this.#partSize } : {}),
      queueSize: this.#queueSize,
      // On failure the multipart upload is aborted here; one that a crash
      // left is sweepIncoming's to abort.
      leavePartsOnError: false,
    });
    const result = await upload.done();
    return { bytes, etag: unquote(result.ETag) };
  }

  async putFile(key: string, path: string): Promise<BlobInfo> {
    this.#objectKey(key);
    // The size up front: the upload picks its part size from it, and fails
    // rather than store something else when the file changes while it is sent.
    const { size } = await stat(path);
    return this.#upload(key, createReadStream(path), size);
  }

  put(key: string, data: Uint8Array): Promise<BlobInfo> {
    return this.#upload(key, data, data.byteLength);
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
      );
      return { bytes: head.ContentLength ?? 0, etag: unquote(head.ETag) };
    } catch (error) {
      if (isS3Error(error, 'NotFound', 'NoSuchKey')) return undefined;
      throw error;
    }
  }

  /** A presigned GET; S3 answers it with the headers asked for (`response-*` parameters). */
  directUrl(key: string, seconds: number, headers: DirectUrlHeaders): Promise<string> {
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.#objectKey(key),
        ResponseCacheControl: headers.cacheControl,
        ResponseContentType: headers.contentType,
      }),
      { expiresIn: seconds },
    );
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    if (range) checkByteRange(range);
    try {
      const object = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!(object.Body instanceof Readable))
        throw new TypeError('The S3 client answered with a body that is not a Node.js stream');
      return object.Body;
    } catch (error) {
      if (isS3Error(error, 'NoSuchKey', 'NotFound'))
        throw new BlobNotFoundError(key, { cause: error });
      if (isS3Error(error, 'InvalidRange') && range)
        throw new RangeError(`The range ${range.start}-${range.end} starts past the blob's end`, {
          cause: error,
        });
      throw error;
    }
  }

  /** A temporary copy on local disk, downloaded as a stream; `release` removes it. */
  async localFile(key: string): Promise<{ path: string; release(): Promise<void> }> {
    const body = await this.read(key);
    await mkdir(this.#scratchDir, { recursive: true });
    const path = join(this.#scratchDir, `${randomUUID()}-${key.split('/').at(-1)}`);
    const release = () => rm(path, { force: true });
    try {
      await pipeline(body, createWriteStream(path));
    } catch (error) {
      await release();
      throw error;
    }
    return { path, release };
  }

  async copyTo(key: string, target: BlobStore): Promise<BlobInfo> {
    const source = await this.stat(key);
    if (!source) throw new BlobNotFoundError(key);
    // CopyObject needs one service and credentials that reach both buckets:
    // the stores built from one configuration share their client.
    if (
      target instanceof S3BlobStore &&
      target.#client === this.#client &&
      source.bytes <= MAX_COPY_BYTES
    ) {
      try {
        const copied = await this.#client.send(
          new CopyObjectCommand({
            Bucket: target.#bucket,
            Key: target.#objectKey(key),
            CopySource: `${this.#bucket}/${this.#objectKey(key)}`,
          }),
        );
        return { bytes: source.bytes, etag: unquote(copied.CopyObjectResult?.ETag) };
      } catch (error) {
        if (isS3Error(error, 'NoSuchKey', 'NotFound'))
          throw new BlobNotFoundError(key, { cause: error });
        throw error;
      }
    }
    // Another kind of store takes files: through a temporary copy, streamed in and out.
    const file = await this.localFile(key);
    try {
      return await target.putFile(key, file.path);
    } finally {
      await file.release();
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success: idempotent as it is.
    await this.#client.send(
      new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
    );
  }

  /**
   * Aborts the multipart uploads under this store's prefix started more
   * than `olderThanMs` ago (a writer that died mid-upload leaves its parts,
   * billed and invisible), and removes temporary copies left in the scratch
   * folder. A bucket lifecycle rule (AbortIncompleteMultipartUpload) does the
   * first too, a day at a time: see docs/operations.md.
   */
  async sweepIncoming(olderThanMs: number): Promise<number> {
    const before = Date.now() - olderThanMs;
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.#client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.#bucket,
          ...(this.#prefix ? { Prefix: this.#prefix } : {}),
          ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated) continue;
        if (upload.Initiated.getTime() >= before) continue;
        try {
          await this.#client.send(
            new AbortMultipartUploadCommand({
              Bucket: this.#bucket,
              Key: upload.Key,
              UploadId: upload.UploadId,
            }),
          );
          removed++;
        } catch (error) {
          // Completed or aborted meanwhile (by its writer, another sweeper): gone all the same.
          if (!isS3Error(error, 'NoSuchUpload')) throw error;
        }
      }
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
      if (!keyMarker) break;
    }
    return removed + (await this.#sweepScratch(before));
  }

  async #sweepScratch(before: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.#scratchDir).catch(() => [] as string[])) {
      const path = join(this.#scratchDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.ctimeMs < before) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
