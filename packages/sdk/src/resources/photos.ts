import PQueue from 'p-queue';
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
import { AbortError, FlickrError, TimeoutError } from '../errors.ts';
import type { Limits } from './limits.ts';
import { type ListQuery, pageQuery, startCursor } from './photo-listing.ts';

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

/** What became of one photo {@link Photos.waitUntilReadyMany} waited for. */
export type WaitReportEntry =
  | { id: string; status: 'ready'; photo: Photo; error?: undefined }
  | { id: string; status: 'failed'; photo: Photo; error: PhotoFailedError }
  | {
      id: string;
      status: 'error';
      /** The last state seen, when the photo was seen at all. */
      photo?: Photo;
      error: Error;
    };

/** Photos fetched at once in each poll round. */
const POLL_CONCURRENCY = 8;

const asError = (error: unknown) =>
  error instanceof Error ? error : new FlickrError(String(error));

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

  /**
   * A user's photos the caller may see, newest first, fetched page by page as
   * you iterate; `status` lists only those with that status
   * (`list(me, { status: 'failed' })`: yours the server could not process).
   */
  list(username: string, query: ListQuery = {}, options?: RequestOptions): PageIterator<Photo> {
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          listUserPhotos,
          { params: { username }, query: pageQuery(query, cursor) },
          options,
        ),
      startCursor(query),
    );
  }

  /** Polls until the photo is `ready` (its renditions exist); throws {@link PhotoFailedError} if it fails. */
  async waitUntilReady(id: string, options: WaitOptions = {}): Promise<Photo> {
    const [entry] = await this.waitUntilReadyMany([id], options);
    if (entry?.status === 'ready') return entry.photo;
    throw entry?.error ?? new FlickrError(`Photo ${id}: no answer`);
  }

  /**
   * Waits for many photos at once, with one shared poll loop (each round
   * fetches the photos still processing, a few at a time, then all wait
   * together), and reports every photo: `ready`, `failed` (with a
   * {@link PhotoFailedError}), or `error` (a {@link TimeoutError} past the
   * deadline, a `NotFoundError`, …). One photo's failure never hides the
   * others. Rejects only with an `AbortError`, when the signal fires.
   */
  async waitUntilReadyMany(
    ids: readonly string[],
    options: WaitOptions = {},
  ): Promise<WaitReportEntry[]> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const results = new Map<string, WaitReportEntry>();
    const last = new Map<string, Photo>();
    let pending = [...new Set(ids)];
    const polling = new PQueue({ concurrency: POLL_CONCURRENCY });
    for (let delay = 100; pending.length > 0; delay = Math.min(delay * 2, 2000)) {
      await polling.addAll(
        pending.map((id) => async () => {
          try {
            const photo = await this.get(id, options);
            last.set(id, photo);
            if (photo.status === 'ready') results.set(id, { id, status: 'ready', photo });
            else if (photo.status === 'failed')
              results.set(id, { id, status: 'failed', photo, error: new PhotoFailedError(photo) });
          } catch (error) {
            if (error instanceof AbortError) throw error;
            results.set(id, { id, status: 'error', error: asError(error) });
          }
        }),
      );
      pending = pending.filter((id) => !results.has(id));
      if (pending.length > 0 && Date.now() + delay > deadline) {
        for (const id of pending) {
          const photo = last.get(id);
          results.set(id, {
            id,
            status: 'error',
            ...(photo ? { photo } : {}),
            error: new TimeoutError(
              `Photo ${id} was still ${photo?.status ?? 'unknown'} after ${timeoutMs} ms`,
            ),
          });
        }
        break;
      }
      if (pending.length > 0) await sleep(delay, options.signal);
    }
    return ids.map((id) => results.get(id) as WaitReportEntry);
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
    const photos =
      typeof source === 'string'
        ? this.list(source, {}, options.signal ? { signal: options.signal } : {})
        : source;
    const limits = await this.#limits.get(options.signal ? { signal: options.signal } : {});
    return downloadMany(this.#transport, photos, limits.originalDownloadsInFlightPerUser, options);
  }
}
