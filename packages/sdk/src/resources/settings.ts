import { getSettings, type UserSettingsChanges, updateSettings } from '../contract/accounts.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Your account's settings, such as whether the photos you upload take comments. */
export class Settings {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  get(options?: RequestOptions) {
    return this.#transport.call(getSettings, {}, options);
  }

  /** Changes the settings given; the others stay as they are. Returns them all. */
  update(changes: UserSettingsChanges, options?: RequestOptions) {
    return this.#transport.call(updateSettings, { body: changes }, options);
  }
}
