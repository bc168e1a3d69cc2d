import { jpegHeaderLength } from '@flickr-kit/thumbnail-core';

/** A header longer than this is left to the probe of the complete file (real photos: a few KiB, at most 64). */
export const MAX_IMAGE_HEADER_BYTES = 256 * 1024;

/**
 * Collects the first bytes of an upload until they hold a whole JPEG
 * header, so the image can be probed while the rest is still arriving.
 * Gives up (for good) at `MAX_IMAGE_HEADER_BYTES` or on a first byte that is
 * not a JPEG's: those files are probed complete, at the pivot.
 */
export class UploadHead {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #done = false;

  /** Feeds the next chunk; returns a copy of the header once it is complete, once. */
  add(chunk: Buffer): Buffer | undefined {
    if (this.#done) return undefined;
    if (this.#bytes === 0 && chunk[0] !== 0xff) {
      this.#done = true;
      return undefined;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    const head = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#bytes);
    const length = jpegHeaderLength(head);
    if (length === undefined && this.#bytes < MAX_IMAGE_HEADER_BYTES) return undefined;
    this.#done = true;
    this.#chunks.length = 0;
    // A copy: the socket's buffers go on to the file, the header to an image decoder.
    return length === undefined ? undefined : Buffer.from(head.subarray(0, length));
  }
}
