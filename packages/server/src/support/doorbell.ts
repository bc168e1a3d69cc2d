/**
 * Wakes whoever waits for news in this process: a waiter returns on the
 * next ring, after its longest wait, or when its signal aborts. What rings
 * is only a hint that work may be there; waiters poll anyway, because news
 * written by another process never rings here.
 */
export class Doorbell {
  #waiters = new Set<() => void>();

  /** Wakes everyone waiting now; those who wait later wait for the next ring. */
  ring(): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next ring, after `maxMs`, or when `signal` aborts, whichever comes first. */
  wait(maxMs: number, signal: AbortSignal): Promise<void> {
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
