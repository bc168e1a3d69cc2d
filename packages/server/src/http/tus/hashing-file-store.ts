import { createHash, type Hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import type http from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageProbe } from '@flickr-kit/thumbnail-core';
import { FileStore } from '@tus/file-store';
import { ERRORS, isPathInsideDirectory, Upload } from '@tus/utils';
import type { UploadStaging } from '../../ports/upload-staging.ts';
import { writeHashing } from './hashing-write.ts';
import { UploadActivity } from './upload-activity.ts';
import { UploadHead } from './upload-head.ts';
import type { UploadStateStore } from './upload-state-store.ts';

export interface HashingFileStoreOptions {
  /** Probes an image from its header (thumbnail-core's `probeHead`, with the server's pixel limit). */
  probeHead?: (header: Buffer) => Promise<ImageProbe | undefined>;
}

interface RunningHash {
  hash: Hash;
  /** Bytes hashed so far, which must equal the offset of the next write. */
  offset: number;
}

/**
 * tus's file store, hashing bytes as they stream in so the pivot need not
 * read the whole file again, and probing the image from its header as soon
 * as that has arrived, so the pivot need not wait for a probe either (1 to 2
 * ms of the ~20 a 2 MiB photo's upload takes on loopback). The running hash
 * and the early probe live in this process: after a restart, or when
 * another process received part of the upload, they are gone and the pivot
 * hashes and probes the file on disk instead.
 */
export class HashingFileStore extends FileStore implements UploadStaging {
  readonly #hashes = new Map<string, RunningHash>();
  readonly #state: UploadStateStore;
  /** Each upload's expiry as its last write left it, until the response reports it. */
  readonly #expiries = new Map<string, Date>();
  readonly #activity = new UploadActivity();
  readonly #probeHead: HashingFileStoreOptions['probeHead'];
  /** Probes of uploads whose first bytes a completed write stored. */
  readonly #probes = new Map<string, Promise<ImageProbe | undefined>>();

  constructor(directory: string, state: UploadStateStore, options: HashingFileStoreOptions = {}) {
    super({ directory, configstore: state, expirationPeriodInMilliseconds: state.expiryMs });
    this.#state = state;
    this.#probeHead = options.probeHead;
  }

  /**
   * An empty file and the upload's row, as `FileStore.create` makes them,
   * without its `mkdir` of the folder on every creation (one file-system
   * round trip of the four; the folder is made on the first ENOENT).
   */
  override async create(upload: Upload): Promise<Upload> {
    const path = this.#path(upload.id);
    const file = await open(path, 'w').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(this.directory, { recursive: true });
      return open(path, 'w');
    });
    await file.close();
    await this.configstore.set(upload.id, upload);
    this.#activity.saw(upload.id, new Date(), upload.size);
    upload.storage = { type: 'file', path };
    return upload;
  }

  /**
   * `FileStore.getUpload` (offset from the file's size, the same errors),
   * from one read of the upload's row where it took two. @tus/server counts
   * `Upload-Expires` and its 410 Gone from an upload's `creation_date`; this
   * server counts from the last activity, so that is the date tus is handed.
   *
   * The file's size is read with a synchronous stat, a few microseconds on
   * an inode the kernel has cached (the upload's own, just written): the
   * asynchronous one queued behind file writes and creations in libuv's
   * four threads, 0.25 ms (median) to 1 ms (mean) before each PATCH could
   * start in the timeline trace. The metadata store's SQLite calls block
   * the event loop the same way already.
   */
  override async getUpload(id: string): Promise<Upload> {
    const stored = await this.#state.read(id);
    if (!stored) throw ERRORS.FILE_NOT_FOUND;
    const path = this.#path(id);
    const file = statSync(path, { throwIfNoEntry: false });
    if (!file) throw ERRORS.FILE_NO_LONGER_EXISTS;
    if (file.isDirectory()) throw ERRORS.FILE_NOT_FOUND;
    const { upload, lastActivity } = stored;
    this.#activity.saw(id, lastActivity, upload.size);
    return new Upload({
      id,
      size: upload.size,
      offset: file.size,
      metadata: upload.metadata,
      creation_date: lastActivity?.toISOString() ?? upload.creation_date,
      storage: { type: 'file', path },
    });
  }

  /** An upload's file, refusing ids that would lead out of the folder (as FileStore does). */
  #path(id: string): string {
    const path = join(this.directory, id);
    if (!isPathInsideDirectory(this.directory, path)) throw ERRORS.FILE_NOT_FOUND;
    return path;
  }

  /**
   * Bytes arriving are activity: at the start, so a long transfer is not
   * expired under it (unless the upload was active in the last seconds), and
   * at the end (unless the write completed the upload). See upload-activity.ts.
   */
  override async write(
    readable: http.IncomingMessage | Readable,
    id: string,
    offset: number,
  ): Promise<number> {
    const activity = this.#activity.take(id);
    if (activity.touchBefore) await this.#state.touch(id);
    let end: number | undefined;
    try {
      end = await this.#hashingWrite(readable, id, offset);
      return end;
    } finally {
      if (end === undefined || !activity.completes(end))
        this.#expiries.set(id, await this.#state.touch(id));
    }
  }

  /**
   * The expiry the last write of an upload set, once: tus computes the
   * PATCH answer's `Upload-Expires` from the activity before the write.
   */
  takeExpiry(id: string): Date | undefined {
    const expires = this.#expiries.get(id);
    this.#expiries.delete(id);
    return expires;
  }

  async #hashingWrite(
    readable: http.IncomingMessage | Readable,
    id: string,
    offset: number,
  ): Promise<number> {
    const running = offset === 0 ? { hash: createHash('sha256'), offset: 0 } : this.#hashes.get(id);
    this.#hashes.delete(id);
    if (!running || running.offset !== offset) return super.write(readable, id, offset);

    // An upload's header arrives in the write that starts at its first byte.
    const probeHead = offset === 0 ? this.#probeHead : undefined;
    const head = new UploadHead();
    let probing: Promise<ImageProbe | undefined> | undefined;
    const onChunk =
      probeHead &&
      ((chunk: Buffer) => {
        const header = head.add(chunk);
        if (header) probing = probeHead(header);
      });
    // Only a write that stored every byte it hashed keeps the hash (and the probe): one that fails throws.
    const end = await writeHashing(readable, this.#path(id), offset, running.hash, onChunk);
    this.#hashes.set(id, { hash: running.hash, offset: end });
    if (probing) this.#probes.set(id, probing);
    return end;
  }

  earlyProbe(uploadId: string): Promise<ImageProbe | undefined> {
    const probing = this.#probes.get(uploadId);
    this.#probes.delete(uploadId);
    return probing ?? Promise.resolve(undefined);
  }

  /** The SHA-256 of a complete upload, if every byte passed through this process. */
  digest(id: string, size: number): string | undefined {
    const running = this.#hashes.get(id);
    this.#hashes.delete(id);
    return running && running.offset === size ? running.hash.digest('hex') : undefined;
  }

  filePath(uploadId: string): string {
    return join(this.directory, uploadId);
  }

  thumbnailPath(uploadId: string): string {
    return join(this.directory, `${uploadId}.thumbnail`);
  }

  override async remove(uploadId: string): Promise<void> {
    this.#hashes.delete(uploadId);
    this.#probes.delete(uploadId);
    this.#expiries.delete(uploadId);
    this.#activity.forget(uploadId);
    await rm(this.filePath(uploadId), { force: true });
    await rm(this.thumbnailPath(uploadId), { force: true });
    await this.configstore.delete(uploadId);
  }
}
