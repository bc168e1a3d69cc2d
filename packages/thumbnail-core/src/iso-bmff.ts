// ISO base media file format (ISO/IEC 14496-12): the box structure HEIF
// files are made of. Only reading, only what heif-meta.ts needs, and every
// read is bounds-checked: a box is untrusted input like the rest of the file.

import { CorruptImageError } from './errors.ts';

/** One box, as offsets into the bytes it was read from. */
export interface Box {
  /** The four-character type, e.g. `meta`, `iloc`, `ispe`. */
  readonly type: string;
  readonly start: number;
  /** Where the payload starts, after the size, type and any 64-bit size. */
  readonly payload: number;
  /** One past the last byte; may lie beyond the bytes read for a top-level box. */
  readonly end: number;
}

const fourcc = (bytes: Uint8Array, at: number): string =>
  String.fromCharCode(
    bytes[at] as number,
    bytes[at + 1] as number,
    bytes[at + 2] as number,
    bytes[at + 3] as number,
  );

/**
 * The header of the box at `at`, or undefined when `bytes` ends within it.
 * The box itself may end beyond `bytes`: the caller reads more, or skips it.
 *
 * @param limit where the enclosing box (or the file, when known) ends
 */
export function boxAt(
  bytes: Uint8Array,
  at: number,
  limit = Number.MAX_SAFE_INTEGER,
): Box | undefined {
  if (at + 8 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = fourcc(bytes, at + 4);
  let size = view.getUint32(at);
  let payload = at + 8;
  if (size === 1) {
    if (at + 16 > bytes.length) return undefined;
    size = Number(view.getBigUint64(at + 8));
    payload = at + 16;
  } else if (size === 0) {
    // "Extends to the end of the file": only a top-level box may say so.
    if (limit === Number.MAX_SAFE_INTEGER) throw heifCorrupt(`box '${type}' of unknown size`);
    size = limit - at;
  }
  const end = at + size;
  if (end < payload || end > limit) throw heifCorrupt(`box '${type}' overruns its container`);
  return { type, start: at, payload, end };
}

/** The boxes that fill `parent`'s payload from `from` on: all must lie within `bytes`. */
export function* childBoxes(bytes: Uint8Array, parent: Box, from = parent.payload): Generator<Box> {
  if (parent.end > bytes.length) throw heifCorrupt(`box '${parent.type}' is cut short`);
  let at = from;
  while (at < parent.end) {
    const box = boxAt(bytes, at, parent.end);
    if (!box) throw heifCorrupt(`box '${parent.type}' ends within a box header`);
    yield box;
    at = box.end;
  }
}

/**
 * Reads the fields of a box payload in order, refusing to read past its end.
 * Field sizes of 0, 4 and 8 bytes are what `iloc` declares its offsets in.
 */
export class FieldReader {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  readonly #end: number;
  readonly #type: string;
  #at: number;

  constructor(bytes: Uint8Array, box: Box, from = box.payload) {
    if (box.end > bytes.length) throw heifCorrupt(`box '${box.type}' is cut short`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#at = from;
    this.#end = box.end;
    this.#type = box.type;
  }

  get position(): number {
    return this.#at;
  }

  get remaining(): number {
    return this.#end - this.#at;
  }

  #take(count: number): number {
    if (this.#at + count > this.#end) throw heifCorrupt(`box '${this.#type}' ends within a field`);
    const at = this.#at;
    this.#at += count;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#take(2));
  }

  u32(): number {
    return this.#view.getUint32(this.#take(4));
  }

  i32(): number {
    return this.#view.getInt32(this.#take(4));
  }

  /** An unsigned integer of 0, 2, 4 or 8 bytes (an 8-byte one beyond 2^53 is refused). */
  uint(size: number): number {
    switch (size) {
      case 0:
        return 0;
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8: {
        const value = this.#view.getBigUint64(this.#take(8));
        if (value > BigInt(Number.MAX_SAFE_INTEGER))
          throw heifCorrupt(`'${this.#type}' offset too large`);
        return Number(value);
      }
      default:
        throw heifCorrupt(`box '${this.#type}' declares a ${size}-byte field`);
    }
  }

  fourcc(): string {
    return fourcc(this.#bytes, this.#take(4));
  }

  /** A NUL-terminated UTF-8 string; a missing terminator ends it at the box's end. */
  string(): string {
    const start = this.#at;
    let end = start;
    while (end < this.#end && this.#bytes[end] !== 0) end++;
    this.#at = Math.min(end + 1, this.#end);
    return new TextDecoder().decode(this.#bytes.subarray(start, end));
  }

  /** A full box's version and flags. */
  versionAndFlags(): { version: number; flags: number } {
    const word = this.u32();
    return { version: word >>> 24, flags: word & 0xffffff };
  }

  skip(count: number): void {
    this.#take(count);
  }

  /** The rest of the payload. */
  rest(): Uint8Array {
    return this.#bytes.subarray(this.#take(this.remaining), this.#end);
  }
}

/**
 * The error for a HEIF file whose boxes do not make sense: one wording for
 * every reader of the container, from the box reader here up.
 */
export function heifCorrupt(detail: string, options?: ErrorOptions): CorruptImageError {
  return new CorruptImageError(`Cannot read HEIF container: ${detail}`, options);
}
