import { createToken, listTokens, revokeToken } from '../contract/accounts.ts';
import type { Scope } from '../contract/common.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** API tokens for programs and CI, with scopes. Secrets are shown once, at creation. */
export class Tokens {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async list(options?: RequestOptions) {
    return (await this.#transport.call(listTokens, {}, options)).items;
  }

  create(
    request: { name: string; scopes: Scope[]; expiresInDays?: number },
    options?: RequestOptions,
  ) {
    return this.#transport.call(createToken, { body: request }, options);
  }

  revoke(id: string, options?: RequestOptions) {
    return this.#transport.call(revokeToken, { params: { id } }, options);
  }
}
