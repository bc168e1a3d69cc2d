import {
  deletePhoto,
  getPhoto,
  listUserPhotos,
  type Photo,
  type PhotoChanges,
  retryPhoto,
  updatePhoto,
} from '../contract/photos.ts';
import { PageIterator } from '../core/pagination.ts';
import { sleep } from '../core/retry.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import {
  type DownloadOptions,
  type DownloadResult,
  downloadFile,
} from '../downloads/download-file.ts';
import {
  type DownloadManyOptions,
  type DownloadReportEntry,
  downloadMany,
} from '../downloads/download-many.ts';
import { FlickrError, TimeoutError } from '../errors.ts';
import type { Limits } from './limits.ts';

/** The photo ended `failed`: its `statusReason` says why. */
export class PhotoFailedError extends FlickrError {
  readonly photo: Photo;
  constructor(photo: Photo) {
    super(`Photo ${photo.id} failed: ${photo.statusReason ?? 'no reason given'}`);
    this.photo = photo;
  }
}

export interface WaitOptions extends RequestOptions {
  /** Give up after this long, in milliseconds (default 60 s). */
  timeoutMs?: number;
}

export interface ListQuery {
  limit?: number;
  after?: string;
  before?: string;
}

export class Photos {
  readonly #transport: Transport;
  readonly #limits: Limits;

  constructor(transport: Transport, limits: Limits) {
    this.#transport = transport;
    this.#limits = limits;
  }

  get(id: string, options?: RequestOptions) {
    return this.#transport.call(getPhoto, { params: { id } }, options);
  }

  update(id: string, changes: PhotoChanges, options?: RequestOptions) {
    return this.#transport.call(updatePhoto, { params: { id }, body: changes }, options);
  }

  delete(id: string, options?: RequestOptions) {
    return this.#transport.call(deletePhoto, { params: { id } }, options);
  }

  /** Administrators: send a failed photo through the upload saga again. */
  retry(id: string, options?: RequestOptions) {
    return this.#transport.call(retryPhoto, { params: { id } }, options);
  }

  /** A user's photos the caller may see, newest first, fetched page by page as you iterate. */
  list(username: string, query: ListQuery = {}, options?: RequestOptions): PageIterator<Photo> {
    const limit = query.limit ?? 100;
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          listUserPhotos,
          { params: { username }, query: { limit, ...cursor } },
          options,
        ),
      {
        ...(query.after ? { after: query.after } : {}),
        ...(query.before ? { before: query.before } : {}),
      },
    );
  }

  /** Polls until the photo is `ready` (its renditions exist); throws {@link PhotoFailedError} if it fails. */
  async waitUntilReady(id: string, options: WaitOptions = {}): Promise<Photo> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const photo = await this.get(id, options);
      if (photo.status === 'ready') return photo;
      if (photo.status === 'failed') throw new PhotoFailedError(photo);
      if (Date.now() + delay > deadline)
        throw new TimeoutError(
          `Photo ${id} was still ${photo.status} after ${options.timeoutMs ?? 60_000} ms`,
        );
      await sleep(delay, options.signal);
    }
  }

  /** {@link waitUntilReady} for many photos at once. */
  waitUntilReadyMany(ids: readonly string[], options: WaitOptions = {}): Promise<Photo[]> {
    return Promise.all(ids.map((id) => this.waitUntilReady(id, options)));
  }

  /** Downloads one file of a photo (the original by default); see {@link downloadFile}. */
  async download(id: string, options: DownloadOptions): Promise<DownloadResult> {
    return downloadFile(this.#transport, await this.get(id, options), options);
  }

  /** Downloads every photo of a user (or of an album, given its photo list) into a folder. */
  async downloadMany(
    source: string | AsyncIterable<Photo>,
    options: DownloadManyOptions,
  ): Promise<DownloadReportEntry[]> {
    const photos = typeof source === 'string' ? this.list(source) : source;
    const limits = await this.#limits.get();
    return downloadMany(this.#transport, photos, limits.originalDownloadsInFlightPerUser, options);
  }
}
