import { hostname } from 'node:os';
import type { SagaStep } from '@flickr-kit/sdk/contract';
import type { Logger } from 'pino';
import { nowIso, uuidv7 } from '../domain/ids.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { MetadataStore, OutboxEvent } from '../ports/metadata-store.ts';
import { backoffDelay } from './backoff.ts';
import { PermanentStepError } from './step-error.ts';
import { STEPS, type Step, type StepContext } from './steps.ts';

export interface WorkerSettings {
  concurrency: number;
  pollMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** How long a claimed step is ours; renewed while it runs, taken over by another worker when it lapses. */
  leaseMs: number;
}

/** The transition was not committed because another worker took the event over. */
class LeaseLostError extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs saga steps from the outbox: claim a due event with a lease, run its
 * step, then in one transaction delete the event, apply the step's writes
 * and enqueue the next step. A crash anywhere leaves the event in the
 * outbox, and its lease lapses for another worker to take it. Failures are
 * retried with exponential backoff and parked after `maxAttempts`.
 */
export class SagaWorker {
  readonly id = `${hostname()}:${process.pid}:${uuidv7().slice(-12)}`;
  readonly #store: MetadataStore;
  readonly #bus: EventBus;
  readonly #context: StepContext;
  readonly #settings: WorkerSettings;
  readonly #log: Logger;
  readonly #steps: Record<SagaStep, Step>;
  readonly #stopping = new AbortController();
  readonly #loops: Promise<void>[] = [];

  constructor(
    store: MetadataStore,
    bus: EventBus,
    context: StepContext,
    settings: WorkerSettings,
    log: Logger,
    /**
     * The step implementations, by name: the saga's own unless a caller
     * wraps some, as the fault-injection tests do to fail or crash a step.
     */
    steps: Record<SagaStep, Step> = STEPS,
  ) {
    this.#steps = steps;
    this.#store = store;
    this.#bus = bus;
    this.#context = context;
    this.#settings = settings;
    this.#log = log.child({ worker: this.id });
  }

  start(): void {
    this.#log.info({ concurrency: this.#settings.concurrency }, 'saga worker started');
    // Each loop holds leases under its own name, so a loop that stalled past
    // its lease cannot complete, retry or park the event a sibling took over.
    for (let i = 0; i < this.#settings.concurrency; i++)
      this.#loops.push(this.#loop(`${this.id}/${i}`));
  }

  /** Stops claiming; waits up to `graceMs` for steps in flight, whose leases lapse otherwise. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([
      Promise.all(this.#loops).then(() => 'done' as const),
      grace,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.#log.warn(
        'saga steps still running at shutdown; their leases will lapse and be retried',
      );
  }

  async #loop(owner: string): Promise<void> {
    const signal = this.#stopping.signal;
    while (!signal.aborted) {
      try {
        const now = Date.now();
        const event = await this.#store.outbox.claim(
          owner,
          iso(now),
          iso(now + this.#settings.leaseMs),
        );
        if (event) await this.#run(event, owner);
        else await this.#bus.waitForWork(this.#settings.pollMs, signal);
      } catch (error) {
        this.#log.error({ err: error }, 'saga worker loop failed; retrying');
        await this.#bus.waitForWork(this.#settings.pollMs, signal);
      }
    }
  }

  async #run(event: OutboxEvent, owner: string): Promise<void> {
    const log = this.#log.child({
      photoId: event.photoId,
      step: event.step,
      attempt: event.attempts,
    });
    const attemptId = uuidv7();
    await this.#store.sagaAttempts.insert({
      id: attemptId,
      eventId: event.id,
      photoId: event.photoId,
      step: event.step,
      attempt: event.attempts,
      worker: owner,
      startedAt: nowIso(),
      finishedAt: null,
      outcome: null,
      error: null,
    });
    const renewEvery = Math.max(50, Math.floor(this.#settings.leaseMs / 3));
    const renewal = setInterval(() => {
      this.#store.outbox
        .renew(event.id, owner, iso(Date.now() + this.#settings.leaseMs))
        .catch((error: unknown) => {
          log.warn({ err: error }, 'could not renew the lease');
        });
    }, renewEvery);
    const started = performance.now();
    try {
      await this.#advance(event, owner);
      await this.#store.sagaAttempts.finish(attemptId, 'succeeded', nowIso(), null);
      log.info({ ms: Math.round(performance.now() - started) }, 'saga step done');
    } catch (error) {
      if (error instanceof LeaseLostError) {
        log.warn('lease lost to another worker; its run wins');
        await this.#store.sagaAttempts.finish(attemptId, 'retrying', nowIso(), 'lease lost');
        return;
      }
      await this.#fail(event, owner, attemptId, error, log);
    } finally {
      clearInterval(renewal);
    }
  }

  async #advance(event: OutboxEvent, owner: string): Promise<void> {
    const photo = await this.#store.photos.byId(event.photoId);
    if (!photo || photo.deletedAt) {
      // Deleted while processing: the saga ends here; the purge job owns the files.
      await this.#store.outbox.complete(event.id, owner);
      return;
    }
    const outcome = await this.#steps[event.step](this.#context, photo, event);
    await this.#store.transaction(async (tx) => {
      if (!(await tx.outbox.complete(event.id, owner))) throw new LeaseLostError();
      await outcome.write?.(tx);
      if (outcome.next) {
        const now = nowIso();
        await tx.outbox.enqueue({
          ...outcome.next,
          id: uuidv7(),
          photoId: event.photoId,
          availableAt: now,
          createdAt: now,
        });
      }
    });
    await outcome.afterCommit?.();
    if (outcome.next) this.#bus.notify();
  }

  async #fail(
    event: OutboxEvent,
    owner: string,
    attemptId: string,
    error: unknown,
    log: Logger,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentStepError;
    if (permanent || event.attempts >= this.#settings.maxAttempts) {
      const now = nowIso();
      const parked = await this.#store.transaction(async (tx) => {
        // Only the lease holder decides the photo's fate: a worker that stalled past its
        // lease must not fail a photo whose step another worker runs now, or finished.
        if (!(await tx.outbox.park(event.id, owner, reason, now))) return false;
        await tx.photos.update(event.photoId, {
          status: 'failed',
          statusReason: `${event.step}: ${reason}`,
          updatedAt: now,
        });
        return true;
      });
      if (!parked) {
        log.warn(
          { err: error },
          'saga step failed after its lease was lost; its new holder decides',
        );
        await this.#store.sagaAttempts.finish(attemptId, 'retrying', now, `lease lost: ${reason}`);
        return;
      }
      await this.#store.sagaAttempts.finish(attemptId, 'parked', now, reason);
      log.error({ err: error, permanent }, 'saga step parked; the photo is marked failed');
      return;
    }
    const delay = backoffDelay(event.attempts, this.#settings.backoffMs);
    await this.#store.outbox.retryLater(event.id, owner, reason, iso(Date.now() + delay));
    await this.#store.sagaAttempts.finish(attemptId, 'retrying', nowIso(), reason);
    log.warn({ err: error, retryInMs: delay }, 'saga step failed; will retry');
  }
}
