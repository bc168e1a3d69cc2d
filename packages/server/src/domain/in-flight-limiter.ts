import type { ErrorCode } from '@flickr-kit/sdk/contract';
import { DomainError } from './errors.ts';

/**
 * Caps work in flight per user (uploads one at a time, originals one at a
 * time). A request over the cap gets `429` with `Retry-After`, at once, or
 * after waiting its turn for a while (`acquireWithin`): stock tus clients
 * do not retry a 429, and one sending parts in parallel would fail where
 * waiting makes it go through, a part at a time. Counts live in this
 * process, so with several API or CDN processes the cap holds per process:
 * a user could run one transfer on each. Counting through the Cache port
 * (Redis) is the scale-out path.
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

  /** Requests waiting for a slot, per user, first come first served. */
  readonly #waiting = new Map<string, (() => void)[]>();

  /** Takes a slot for the user; the returned function gives it back (once). */
  acquire(userId: string): () => void {
    const count = this.#counts.get(userId) ?? 0;
    // Nobody jumps the queue of those waiting.
    if (count >= this.#limit || this.#waiting.has(userId)) throw this.#refusal();
    this.#counts.set(userId, count + 1);
    return this.#releaser(userId);
  }

  /**
   * Takes a slot for the user, waiting up to `waitMs` for one to free;
   * refuses as `acquire` does after that, or at once when the signal aborts
   * (the request went away).
   */
  async acquireWithin(userId: string, waitMs: number, signal?: AbortSignal): Promise<() => void> {
    if (
      waitMs <= 0 ||
      ((this.#counts.get(userId) ?? 0) < this.#limit && !this.#waiting.has(userId))
    )
      return this.acquire(userId);
    const queue = this.#waiting.get(userId) ?? [];
    this.#waiting.set(userId, queue);
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = queue.indexOf(granted);
        if (at >= 0) queue.splice(at, 1);
        if (queue.length === 0 && this.#waiting.get(userId) === queue) this.#waiting.delete(userId);
      };
      // A slot handed over by a release: the count already includes it.
      const granted = () => {
        leave();
        resolve(this.#releaser(userId));
      };
      const timer = setTimeout(() => {
        leave();
        reject(this.#refusal());
      }, waitMs);
      const onAbort = () => {
        leave();
        reject(this.#refusal());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(granted);
    });
  }

  #refusal(): DomainError {
    return new DomainError(
      this.#code,
      `${this.#what} in flight per user are limited to ${this.#limit}: wait for the current one to finish`,
      { retryAfterSeconds: 1 },
    );
  }

  #releaser(userId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(userId)?.[0];
      // The slot goes straight to the first in line: the count stays.
      if (next) return next();
      const left = (this.#counts.get(userId) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(userId);
      else this.#counts.set(userId, left);
    };
  }
}
