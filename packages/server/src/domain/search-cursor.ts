import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SearchPosition } from '../ports/search-index.ts';
import { DomainError } from './errors.ts';

const MAC_BYTES = 8;
/** What adapters use as keys: a row number, or a UUID. */
const KEY = /^[0-9a-z-]{1,64}$/;

const refused = () =>
  new DomainError(
    'invalid_cursor',
    'The cursor is not one this server issued for this search: start again from the first page',
  );

/**
 * Search cursors: the score and index key of a page's last photo, with a MAC over
 * them and the search they belong to, so a cursor is refused with any other
 * query or filters instead of paging from a position of another order.
 */
export class SearchCursorCodec {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  #mac(search: string, body: string): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`search-cursor\n${search}\n${body}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  /** `search` names the query and filters (any stable text of them). */
  encode(search: string, position: SearchPosition): string {
    const body = `${position.score}.${Buffer.from(position.key).toString('base64url')}`;
    return `${body}.${this.#mac(search, body).toString('base64url')}`;
  }

  decode(search: string, cursor: string): SearchPosition {
    const [score, key64, mac, ...rest] = cursor.split('.');
    if (
      score === undefined ||
      key64 === undefined ||
      mac === undefined ||
      rest.length > 0 ||
      !/^\d{1,4}$/.test(score)
    )
      throw refused();
    const key = Buffer.from(key64, 'base64url').toString();
    const given = Buffer.from(mac, 'base64url');
    if (
      !KEY.test(key) ||
      given.length !== MAC_BYTES ||
      !timingSafeEqual(given, this.#mac(search, `${score}.${key64}`))
    )
      throw refused();
    return { score: Number(score), key };
  }
}
