import type { OutboxEvent } from './metadata-store.ts';

/**
 * Delivers saga events, at least once, to one worker at a time. The embedded
 * bus polls the outbox table; a broker-backed one is fed from the same table.
 */
export interface EventBus {
  /** Hints that an event was just written, so idle local workers look now. */
  notify(): void;
  /** Waits until an event may be due, at most `maxMs`, or until notified or aborted. */
  waitForWork(maxMs: number, signal: AbortSignal): Promise<void>;
}

export type { OutboxEvent };
