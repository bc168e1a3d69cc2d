import type { EventBus } from '../../ports/event-bus.ts';
import { Doorbell } from '../../support/doorbell.ts';

/**
 * The embedded event bus: workers poll the outbox table, and a write in the
 * same process wakes them at once instead of at the next poll. Workers in
 * other processes see new events at their next poll.
 */
export class LocalEventBus implements EventBus {
  readonly #doorbell = new Doorbell();

  notify(): void {
    this.#doorbell.ring();
  }

  waitForWork(maxMs: number, signal: AbortSignal): Promise<void> {
    return this.#doorbell.wait(maxMs, signal);
  }
}
