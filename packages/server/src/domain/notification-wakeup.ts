/**
 * Wakes the notification streams of this process when a notification was
 * committed here, so they send it at once instead of at their next poll.
 * Streams poll the table anyway: a notification written by another process
 * (a worker elsewhere, another API process) reaches them within a poll.
 */
export class NotificationWakeup {
  #waiters = new Set<() => void>();

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
