import { createHash } from 'node:crypto';
import { gpsPatches, patchChunk, ThumbnailError } from '@flickr-kit/thumbnail-core';
import type { BlobStore } from '../ports/blob-store.ts';
import type { MetadataStore, OriginalScrub } from '../ports/metadata-store.ts';
import { DomainError } from './errors.ts';
import { nowIso } from './ids.ts';

/**
 * The GPS-free copies of originals (domain/location-privacy.ts says who gets
 * one): for each original, the patches that blank its GPS fields in place and
 * the copy's SHA-256, for `Repr-Digest`. Worked out the first time a copy is
 * asked for (one read of the file's metadata, one of the whole file to hash
 * the copy) and stored with the photo, so no later request hashes anything;
 * a file never changes under its key, and neither does its scrub.
 */
export class OriginalScrubs {
  readonly #store: Pick<MetadataStore, 'originalScrubs'>;
  readonly #files: BlobStore;
  /** Concurrent first requests for one original share one computation. */
  readonly #working = new Map<string, Promise<OriginalScrub>>();

  constructor(store: Pick<MetadataStore, 'originalScrubs'>, files: BlobStore) {
    this.#store = store;
    this.#files = files;
  }

  /** The scrub of the photo's original, stored under `key`, whose own SHA-256 is `sha256`. */
  async of(photoId: string, key: string, sha256: string): Promise<OriginalScrub> {
    const stored = await this.#store.originalScrubs.get(photoId);
    if (stored) return stored;
    let working = this.#working.get(photoId);
    if (!working) {
      working = this.#workOut(key, sha256)
        .then(async (scrub) => {
          // Every process works out the same scrub: the first one stored wins, equal to the rest.
          await this.#store.originalScrubs.put(photoId, scrub, nowIso());
          return scrub;
        })
        .finally(() => this.#working.delete(photoId));
      this.#working.set(photoId, working);
    }
    return working;
  }

  /**
   * Reads the original through the blob store, by ranges for its metadata
   * and as one stream to hash the copy: no local file, so a store that keeps
   * blobs elsewhere (an object store) serves this as well as local files do.
   */
  async #workOut(key: string, sha256: string): Promise<OriginalScrub> {
    const info = await this.#files.stat(key);
    if (!info) throw new Error(`${key} is not in the blob store`);
    const size = info.bytes;
    const readAt = async (offset: number, length: number) => {
      const end = Math.min(size, offset + length) - 1;
      if (end < offset) return Buffer.alloc(0);
      const chunks = await (await this.#files.read(key, { start: offset, end })).toArray();
      return Buffer.concat(chunks as Buffer[]);
    };
    const patches = await gpsPatches(readAt, size).catch((error: unknown) => {
      // Never the file with its GPS instead: a copy we cannot make is refused.
      if (!(error instanceof ThumbnailError)) throw error;
      throw new DomainError(
        'unsupported_image',
        `This original cannot be served without its GPS fields (${error.message}); its owner can download it`,
        { cause: error },
      );
    });
    // Nothing to blank: the copy is the original, and so is its digest.
    if (patches.length === 0) return { patches, sha256 };
    const hash = createHash('sha256');
    let at = 0;
    for await (const chunk of await this.#files.read(key)) {
      hash.update(patchChunk(chunk as Buffer, at, patches));
      at += (chunk as Buffer).length;
    }
    if (at !== size) throw new Error(`${key} ended at ${at} of ${size} bytes`);
    return { patches, sha256: hash.digest('hex') };
  }
}
