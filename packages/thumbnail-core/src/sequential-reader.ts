import { type FileHandle, open } from 'node:fs/promises';
import type { ImageInput } from './image-input.ts';

/** How much of a file is held at once: large enough that reads are few, small enough not to matter. */
const WINDOW_BYTES = 1 << 20;

/**
 * The first read: enough for the headers of most files, so that a file whose
 * frame header is all the caller wants costs one small read. Reads double
 * from there up to the window.
 */
const FIRST_READ_BYTES = 1 << 14;

/**
 * Reads an input front to back through one fixed window, so that walking a
 * file of any size holds at most {@link WINDOW_BYTES} of it. An input that is
 * already in memory is its own window.
 *
 * Positions passed to `byte`, `view` and `skip` are relative to the current
 * position and must lie within what the last `need` made available.
 */
export class SequentialReader {
  readonly #file: FileHandle | undefined;
  /** A Buffer, for its native `indexOf`. */
  #window: Buffer;
  /** Valid bytes in the window. */
  #end: number;
  /** Current position within the window. */
  #at = 0;
  #eof: boolean;
  #readBytes = FIRST_READ_BYTES;

  private constructor(file: FileHandle | undefined, window: Buffer, end: number) {
    this.#file = file;
    this.#window = window;
    this.#end = end;
    this.#eof = file === undefined;
  }

  static async open(input: ImageInput): Promise<SequentialReader> {
    if (typeof input !== 'string') {
      const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      return new SequentialReader(undefined, bytes, bytes.length);
    }
    return new SequentialReader(await open(input, 'r'), Buffer.allocUnsafe(WINDOW_BYTES), 0);
  }

  /** Bytes available from the current position without reading more. */
  get available(): number {
    return this.#end - this.#at;
  }

  /**
   * Makes at least `count` bytes (at most the window size) available from
   * the current position. False when the input ends first.
   */
  async need(count: number): Promise<boolean> {
    if (this.available >= count) return true;
    if (this.#eof || !this.#file || count > this.#window.length) return false;
    // Keep the unread tail at the start of the window, then read after it.
    this.#window.copyWithin(0, this.#at, this.#end);
    this.#end -= this.#at;
    this.#at = 0;
    while (this.#end < count) {
      const length = Math.min(
        this.#window.length - this.#end,
        Math.max(count - this.#end, this.#readBytes),
      );
      this.#readBytes = Math.min(this.#readBytes * 2, WINDOW_BYTES);
      const { bytesRead } = await this.#file.read(this.#window, this.#end, length);
      if (bytesRead === 0) {
        this.#eof = true;
        return false;
      }
      this.#end += bytesRead;
    }
    return true;
  }

  byte(offset: number): number {
    const at = this.#at + offset;
    return at < this.#end ? (this.#window[at] as number) : -1;
  }

  /** A view of the next `count` bytes, valid until the next `need`. */
  view(count: number): Uint8Array {
    return this.#window.subarray(this.#at, this.#at + count);
  }

  skip(count: number): void {
    this.#at += count;
  }

  /** Offset of the next 0xFF byte among the available ones, or -1. */
  nextFF(): number {
    // Past the valid bytes lie stale ones from an earlier read: a find there is no find.
    const found = this.#window.indexOf(0xff, this.#at);
    return found === -1 || found >= this.#end ? -1 : found - this.#at;
  }

  async close(): Promise<void> {
    await this.#file?.close();
  }
}

/** An append-only byte buffer that grows by doubling. */
export class ByteSink {
  #bytes = new Uint8Array(1 << 16);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  write(bytes: Uint8Array): void {
    if (this.#length + bytes.length > this.#bytes.length) {
      let size = this.#bytes.length * 2;
      while (size < this.#length + bytes.length) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** The bytes written, as a Buffer over the sink's memory. */
  toBuffer(): Buffer {
    return Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset, this.#length);
  }
}
