import { getProfile, type ProfileVisibility, updateProfile } from '../contract/profiles.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Your profile settings: whether strangers see your photos. */
export class Profiles {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  get(options?: RequestOptions) {
    return this.#transport.call(getProfile, {}, options);
  }

  /**
   * `private`: strangers (followers included) see none of your photos, not
   * even public ones; those you shared with still see them all.
   */
  setVisibility(visibility: ProfileVisibility, options?: RequestOptions) {
    return this.#transport.call(updateProfile, { body: { visibility } }, options);
  }
}
