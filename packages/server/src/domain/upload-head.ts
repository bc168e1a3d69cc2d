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
 *
 * A socket hands over 64 KiB at a time, and the first chunk nearly always
 * holds the header; a client may send a byte at a time, though, so bytes go
 * into a buffer that doubles, and the header is looked for again only once
 * a quarter more (4 KiB at least) has arrived, and when the body ends:
 * linear work however the body is cut.
 */
export class UploadHead {
  #buffer = Buffer.alloc(0);
  #bytes = 0;
  #lookAt = 0;
  #done = false;

  /** Feeds the next chunk; returns a copy of the header once it is complete, once. */
  add(chunk: Buffer): Buffer | undefined {
    if (this.#done) return undefined;
    const head = this.#append(chunk);
    if (head.length >= 8 && !mayStartHeader(head)) return this.#giveUp();
    const full = this.#bytes >= MAX_IMAGE_HEADER_BYTES;
    if (this.#bytes < this.#lookAt && !full) return undefined;
    const header = this.#look(head, full);
    this.#lookAt = this.#bytes + Math.max(4096, this.#bytes >> 2);
    return header;
  }

  /** The body ended: a last look at what arrived since the previous one. */
  finish(): Buffer | undefined {
    if (this.#done) return undefined;
    return this.#look(this.#buffer.subarray(0, this.#bytes), true);
  }

  /** The header if `head` holds it whole; gives up when `last` and it does not. */
  #look(head: Buffer, last: boolean): Buffer | undefined {
    const length = imageHeaderLength(head);
    if (length === undefined && !last) return undefined;
    this.#giveUp();
    // A copy: the buffer is let go, the header goes on to an image decoder.
    return length === undefined ? undefined : Buffer.from(head.subarray(0, length));
  }

  /** The bytes so far (up to the limit), the new chunk's included. */
  #append(chunk: Buffer): Buffer {
    const taken = Math.min(chunk.length, MAX_IMAGE_HEADER_BYTES - this.#bytes);
    const needed = this.#bytes + taken;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(MAX_IMAGE_HEADER_BYTES, Math.max(needed, 2 * this.#buffer.length)),
      );
      this.#buffer.copy(grown, 0, 0, this.#bytes);
      this.#buffer = grown;
    }
    chunk.copy(this.#buffer, this.#bytes, 0, taken);
    this.#bytes = needed;
    return this.#buffer.subarray(0, this.#bytes);
  }

  #giveUp(): undefined {
    this.#done = true;
    this.#buffer = Buffer.alloc(0);
    return undefined;
  }
}
