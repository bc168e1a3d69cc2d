import { grantAccess, listGrants, listGrantsToMe, revokeAccess } from '../contract/shares.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Sharing: a grant lets a viewer see all of the sharer's photos, public or private. */
export class Shares {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  grant(username: string, options?: RequestOptions) {
    return this.#transport.call(grantAccess, { body: { username } }, options);
  }

  revoke(username: string, options?: RequestOptions) {
    return this.#transport.call(revokeAccess, { params: { username } }, options);
  }

  /** Whom you have shared with. */
  async list(options?: RequestOptions) {
    return (await this.#transport.call(listGrants, {}, options)).items;
  }

  /** Who has shared with you. */
  async listToMe(options?: RequestOptions) {
    return (await this.#transport.call(listGrantsToMe, {}, options)).items;
  }
}
