import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  type AppendOptions,
  type LocalFile,
  StagingFailure,
  type UploadStaging,
} from '../../ports/upload-staging.ts';
import { UPLOAD_ID } from './upload-id.ts';

/** An object's bytes, as the SDK's body offers them. */
const bytesOf = async (body: unknown) =>
  Buffer.from(
    await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );

const MiB = 2 ** 20;

export interface S3UploadStagingOptions {
  client: S3Client;
  bucket: string;
  /** Put before every object name, e.g. `staging/`: its own prefix, apart from the blobs'. */
  prefix: string;
  /** A local folder for localFile's copies (on disk: whole uploads go there). */
  scratchDir: string;
  /** The largest segment an append writes as one object; a body is cut into segments this long. */
  segmentBytes?: number;
}

/** Segments of one append being written at once. */
const SEGMENTS_IN_FLIGHT = 3;

/** Digits enough for any offset, so that segment names sort as their offsets do. */
const OFFSET_DIGITS = 16;

interface Segment {
  key: string;
  offset: number;
  bytes: number;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException && ['NoSuchKey', 'NotFound'].includes(error.name);

/** Any failure of S3 itself is the store's, not the request's. */
const storeFailure = (doing: string) => (error: unknown) => {
  throw new StagingFailure(`S3 failed while ${doing}`, { cause: error });
};

/**
 * Resumable uploads staged in an S3 bucket, so that any API process can
 * continue any upload. An upload is a folder of objects: `.upload` (it
 * exists), `.thumbnail`, and its bytes as segments named by their offset,
 * each written whole by one PutObject (S3 has no append, and a multipart
 * upload needs parts of 5 MiB, where a tus PATCH may carry a few bytes). A
 * body is cut into segments of `segmentBytes` as it arrives; when it breaks
 * off, what was received is written as a last, shorter segment, so the
 * upload keeps every byte it got, as on a local disk. Its size is the end
 * of its segments, read by listing them (S3 lists what it acknowledged at
 * once, on every process).
 *
 * One writer at a time per upload, as the port says: across processes that
 * takes the shared upload lock (Redis), which the protocol above holds.
 */
export class S3UploadStaging implements UploadStaging {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #scratchDir: string;
  readonly #segmentBytes: number;

  constructor(options: S3UploadStagingOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.#scratchDir = options.scratchDir;
    this.#segmentBytes = options.segmentBytes ?? 8 * MiB;
  }

  #folder(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`Not an upload id: ${JSON.stringify(uploadId)}`);
    return `${this.#prefix}${uploadId}/`;
  }

  #segmentKey(uploadId: string, offset: number): string {
    return `${this.#folder(uploadId)}${String(offset).padStart(OFFSET_DIGITS, '0')}`;
  }

  async #put(key: string, body: Uint8Array): Promise<void> {
    await this.#client
      .send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body }))
      .catch(storeFailure(`writing ${key}`));
  }

  /** Every object of the upload's folder, by name. */
  async #list(uploadId: string): Promise<{ key: string; bytes: number }[]> {
    const prefix = this.#folder(uploadId);
    const objects: { key: string; bytes: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client
        .send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        )
        .catch(storeFailure(`listing ${prefix}`));
      for (const object of page.Contents ?? [])
        if (object.Key) objects.push({ key: object.Key, bytes: object.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /**
   * The upload's segments in order, from offset 0 on while each begins
   * where the one before ends; undefined for an upload that does not exist.
   * (Segments past a gap, which only a failed truncation could leave, are
   * not the upload's: the next append or truncation writes over them.)
   */
  async #segments(uploadId: string): Promise<Segment[] | undefined> {
    const objects = await this.#list(uploadId);
    const folder = this.#folder(uploadId);
    if (!objects.some((object) => object.key === `${folder}.upload`)) return undefined;
    const segments: Segment[] = [];
    let end = 0;
    for (const { key, bytes } of objects) {
      const name = key.slice(folder.length);
      if (!/^\d+$/.test(name)) continue;
      if (Number(name) !== end) break;
      segments.push({ key, offset: end, bytes });
      end += bytes;
    }
    return segments;
  }

  async create(uploadId: string): Promise<void> {
    await this.#put(`${this.#folder(uploadId)}.upload`, new Uint8Array());
  }

  async size(uploadId: string): Promise<number | undefined> {
    const segments = await this.#segments(uploadId);
    const last = segments?.at(-1);
    return segments && (last ? last.offset + last.bytes : 0);
  }

  /**
   * Cuts the body into segments as it arrives and writes each whole, up to
   * `SEGMENTS_IN_FLIGHT` at once while the body keeps arriving (one at a time
   * left the connection idle while S3 took each segment: half the speed of a
   * managed upload, bench/upload-s3.bench.ts). Reading pauses while that many
   * are being written, so an upload holds that many segments in memory, and
   * one being filled. The order segments land in does not matter: the size
   * counts only those that follow on from offset 0. On a failure or a stop
   * the body is left alone (paused, for the server to answer), what was
   * received is written, and it rejects.
   */
  append(
    uploadId: string,
    offset: number,
    body: Readable,
    options: AppendOptions = {},
  ): Promise<number> {
    const { onChunk, signal } = options;
    const segmentBytes = this.#segmentBytes;
    return new Promise((resolve, reject) => {
      let end = offset;
      let held: Buffer[] = [];
      let heldBytes = 0;
      let failure: unknown;
      let done = false;
      const writing = new Set<Promise<void>>();
      const write = () => {
        const data = Buffer.concat(held, heldBytes);
        const put = this.#put(this.#segmentKey(uploadId, end - heldBytes), data);
        held = [];
        heldBytes = 0;
        const tracked: Promise<void> = put.then(
          () => {
            writing.delete(tracked);
            if (!done && body.isPaused()) body.resume();
          },
          (error: unknown) => {
            writing.delete(tracked);
            stop(error);
          },
        );
        writing.add(tracked);
      };
      const finish = () => {
        done = true;
        body.off('data', take);
        body.off('end', onEnd);
        body.off('error', stop);
        signal?.removeEventListener('abort', onAbort);
        // What was received goes down too, then the outcome.
        if (heldBytes > 0) write();
        void Promise.all([...writing]).then(() =>
          failure === undefined ? resolve(end) : reject(failure),
        );
      };
      const stop = (error: unknown) => {
        if (failure !== undefined) return;
        failure = error;
        body.pause();
        if (!done) finish();
      };
      const take = (chunk: Buffer) => {
        try {
          onChunk?.(chunk);
        } catch (error) {
          stop(error);
          return;
        }
        if (failure !== undefined) return;
        held.push(chunk);
        heldBytes += chunk.length;
        end += chunk.length;
        if (heldBytes < segmentBytes) return;
        write();
        if (writing.size >= SEGMENTS_IN_FLIGHT) body.pause();
      };
      const onEnd = () => {
        if (failure === undefined && !done) finish();
      };
      const onAbort = () => stop(signal?.reason);
      body.on('data', take);
      body.once('end', onEnd);
      body.once('error', stop);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  async truncate(uploadId: string, size: number): Promise<void> {
    const objects = await this.#list(uploadId);
    const folder = this.#folder(uploadId);
    const gone: string[] = [];
    for (const { key, bytes } of objects) {
      const name = key.slice(folder.length);
      if (!/^\d+$/.test(name)) continue;
      const offset = Number(name);
      if (offset >= size) gone.push(key);
      else if (offset + bytes > size) {
        // A segment across the cut keeps its head: written again, shorter, under its own name.
        const head = await this.#get(key, `bytes=0-${size - offset - 1}`);
        if (head) await this.#put(key, head);
      }
    }
    await this.#delete(gone);
  }

  /** An object's bytes (a range of them: `bytes=0-99`); undefined when there is no such object. */
  async #get(key: string, range?: string): Promise<Buffer | undefined> {
    const answer = await this.#client
      .send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          ...(range ? { Range: range } : {}),
        }),
      )
      .catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        return storeFailure(`reading ${key}`)(error);
      });
    return answer && bytesOf(answer.Body);
  }

  async #delete(keys: string[]): Promise<void> {
    for (let at = 0; at < keys.length; at += 1000) {
      const batch = keys.slice(at, at + 1000);
      await this.#client
        .send(
          new DeleteObjectsCommand({
            Bucket: this.#bucket,
            Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true },
          }),
        )
        .catch(storeFailure(`removing ${batch.length} objects`));
    }
  }

  async read(uploadId: string): Promise<Readable> {
    const segments = await this.#segments(uploadId);
    if (!segments)
      throw Object.assign(new Error(`No staged upload ${uploadId}`), { code: 'ENOENT' });
    const client = this.#client;
    const bucket = this.#bucket;
    // One segment at a time, in order: one GET open at once.
    return Readable.from(
      (async function* () {
        for (const segment of segments) {
          const answer = await client
            .send(new GetObjectCommand({ Bucket: bucket, Key: segment.key }))
            .catch(storeFailure(`reading ${segment.key}`));
          yield* answer.Body as Readable;
        }
      })(),
      { objectMode: false },
    );
  }

  async localFile(uploadId: string): Promise<LocalFile> {
    const bytes = await this.read(uploadId);
    await mkdir(this.#scratchDir, { recursive: true });
    const path = join(this.#scratchDir, `${uploadId}.${randomUUID()}`);
    const release = () => rm(path, { force: true });
    try {
      await pipeline(bytes, createWriteStream(path));
    } catch (error) {
      await release();
      throw error;
    }
    return { path, release };
  }

  async putThumbnail(uploadId: string, data: Uint8Array): Promise<void> {
    await this.#put(`${this.#folder(uploadId)}.thumbnail`, data);
  }

  readThumbnail(uploadId: string): Promise<Buffer | undefined> {
    return this.#get(`${this.#folder(uploadId)}.thumbnail`);
  }

  async remove(uploadId: string): Promise<void> {
    await this.#delete((await this.#list(uploadId)).map((object) => object.key));
  }
}
