import type { Logger } from 'pino';

export interface Job {
  name: string;
  everyMs: number;
  /** One run; `signal` aborts when the scheduler stops, and a long run should end soon after. */
  run(signal: AbortSignal): Promise<number>;
}

/**
 * Runs each job every `everyMs`, one run at a time per job, logging what it
 * did. Several workers may run the same jobs: each job is idempotent.
 */
export class JobScheduler {
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<Promise<unknown>>();
  readonly #stopping = new AbortController();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  start(jobs: readonly Job[]): void {
    for (const job of jobs) {
      let busy = false;
      const tick = () => {
        if (busy) return;
        busy = true;
        const run = job
          .run(this.#stopping.signal)
          .then((count) => {
            if (count > 0) this.#log.info({ job: job.name, count }, 'job done');
          })
          .catch((error: unknown) => this.#log.error({ err: error, job: job.name }, 'job failed'))
          .finally(() => {
            busy = false;
            this.#running.delete(run);
          });
        this.#running.add(run);
      };
      const timer = setInterval(tick, job.everyMs);
      timer.unref();
      this.#timers.push(timer);
      tick();
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#stopping.abort();
    await Promise.allSettled([...this.#running]);
  }
}
