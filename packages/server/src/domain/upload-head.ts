import { imageHeaderLength } from '@flickr-kit/thumbnail-core';

/** A header longer than this is left to the probe of the complete file (real photos: a few KiB, at most 64). */
export const MAX_IMAGE_HEADER_BYTES = 256 * 1024;

/** Whether the first bytes may start a format that can be probed from its header (JPEG, HEIF). */
const mayStartHeader = (first: Buffer) =>
  first[0] === 0xff || (first.length >= 8 && first.toString('latin1', 4, 8) === 'ftyp');

/**
 * Collects the first bytes of an upload until they hold a whole JPEG or
 * HEIC header, so the image can be probed while the rest is still arriving.
 * Gives up (for good) at `MAX_IMAGE_HEADER_BYTES` or on first bytes of
 * another format: those files are probed complete, at the pivot.
 */
export class UploadHead {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #done = false;

  /** Feeds the next chunk; returns a copy of the header once it is complete, once. */
  add(chunk: Buffer): Buffer | undefined {
    if (this.#done) return undefined;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    const head = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#bytes);
    if (head.length >= 8 && !mayStartHeader(head)) return this.#giveUp();
    const length = imageHeaderLength(head);
    if (length === undefined && this.#bytes < MAX_IMAGE_HEADER_BYTES) return undefined;
    this.#giveUp();
    // A copy: the socket's buffers go on to the file, the header to an image decoder.
    return length === undefined ? undefined : Buffer.from(head.subarray(0, length));
  }

  #giveUp(): undefined {
    this.#done = true;
    this.#chunks.length = 0;
    return undefined;
  }
}
