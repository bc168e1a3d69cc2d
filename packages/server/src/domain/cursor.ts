import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.ts';

const MAC_BYTES = 8;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Opaque list cursors: the id of the item a page starts or ends at, with a
 * short MAC so a tampered or made-up cursor is refused instead of silently
 * paging from somewhere else.
 */
export class CursorCodec {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  #mac(id: string): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`cursor\n${id}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  encode(id: string): string {
    return `${Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url')}.${this.#mac(id).toString('base64url')}`;
  }

  decode(cursor: string): string {
    const [body, mac] = cursor.split('.');
    const hex = body ? Buffer.from(body, 'base64url').toString('hex') : '';
    const id =
      hex.length === 32
        ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
        : '';
    const given = Buffer.from(mac ?? '', 'base64url');
    if (!UUID.test(id) || given.length !== MAC_BYTES || !timingSafeEqual(given, this.#mac(id))) {
      throw new DomainError(
        'invalid_cursor',
        'The cursor is not one this server issued: start again from the first page',
      );
    }
    return id;
  }
}
