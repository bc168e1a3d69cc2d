import type { EventBus } from '../../ports/event-bus.ts';

/**
 * The embedded event bus: workers poll the outbox table, and a write in the
 * same process wakes them at once instead of at the next poll. Workers in
 * other processes see new events at their next poll.
 */
export class LocalEventBus implements EventBus {
  readonly #waiters = new Set<() => void>();

  notify(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  waitForWork(maxMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      signal.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }
}
