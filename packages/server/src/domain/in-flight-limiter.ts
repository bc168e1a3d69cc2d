import type { ErrorCode } from '@flickr-kit/sdk/contract';
import { DomainError } from './errors.ts';

/**
 * Caps work in flight per user (uploads one at a time, originals one at a
 * time): a request over the cap gets `429` with `Retry-After` at once rather
 * than queueing. Counts live in this process, so with several API or CDN
 * processes the cap holds per process: a user could run one transfer on
 * each. Counting through the Cache port (Redis) is the scale-out path.
 */
export class InFlightLimiter {
  readonly #limit: number;
  readonly #counts = new Map<string, number>();
  readonly #what: string;
  readonly #code: ErrorCode;

  constructor(limit: number, what: string, code: ErrorCode = 'too_many_uploads') {
    this.#limit = limit;
    this.#what = what;
    this.#code = code;
  }

  /** Takes a slot for the user; the returned function gives it back (once). */
  acquire(userId: string): () => void {
    const count = this.#counts.get(userId) ?? 0;
    if (count >= this.#limit) {
      throw new DomainError(
        this.#code,
        `${this.#what} in flight per user are limited to ${this.#limit}: wait for the current one to finish`,
        { retryAfterSeconds: 1 },
      );
    }
    this.#counts.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(userId) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(userId);
      else this.#counts.set(userId, left);
    };
  }
}
