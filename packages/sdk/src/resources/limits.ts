import { getLimits, type Limits as LimitsShape } from '../contract/uploads.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

const KEEP_MS = 60_000;

/** The server's policies. Kept for a minute: uploads and downloads consult them for concurrency. */
export class Limits {
  readonly #transport: Transport;
  #cached: { limits: LimitsShape; at: number } | undefined;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async get(options?: RequestOptions & { fresh?: boolean }): Promise<LimitsShape> {
    if (!options?.fresh && this.#cached && Date.now() - this.#cached.at < KEEP_MS)
      return this.#cached.limits;
    const limits = await this.#transport.call(getLimits, {}, options);
    this.#cached = { limits, at: Date.now() };
    return limits;
  }
}
