import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SearchPosition } from '../ports/search-index.ts';
import { DomainError } from './errors.ts';

const MAC_BYTES = 8;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const refused = () =>
  new DomainError(
    'invalid_cursor',
    'The cursor is not one this server issued for this search: start again from the first page',
  );

/**
 * Search cursors: the score and id of a page's last photo, with a MAC over
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
    const body = `${position.score}.${Buffer.from(position.id.replaceAll('-', ''), 'hex').toString('base64url')}`;
    return `${body}.${this.#mac(search, body).toString('base64url')}`;
  }

  decode(search: string, cursor: string): SearchPosition {
    const [score, id64, mac] = cursor.split('.');
    if (score === undefined || id64 === undefined || mac === undefined || !/^\d{1,4}$/.test(score))
      throw refused();
    const hex = Buffer.from(id64, 'base64url').toString('hex');
    const id =
      hex.length === 32
        ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
        : '';
    const given = Buffer.from(mac, 'base64url');
    if (
      !UUID.test(id) ||
      given.length !== MAC_BYTES ||
      !timingSafeEqual(given, this.#mac(search, `${score}.${id64}`))
    )
      throw refused();
    return { score: Number(score), id };
  }
}
