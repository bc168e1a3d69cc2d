import { login, logout, register, whoami } from '../contract/accounts.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Accounts and sessions. `login` and `register` return a token to build an authenticated client with. */
export class Auth {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  register(username: string, password: string, options?: RequestOptions) {
    return this.#transport.call(register, { body: { username, password } }, options);
  }

  login(username: string, password: string, options?: RequestOptions) {
    return this.#transport.call(login, { body: { username, password } }, options);
  }

  /** Revokes the token this client uses. */
  logout(options?: RequestOptions) {
    return this.#transport.call(logout, {}, options);
  }

  whoami(options?: RequestOptions) {
    return this.#transport.call(whoami, {}, options);
  }
}
