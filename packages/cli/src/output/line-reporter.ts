import type { Writable } from 'node:stream';
import {
  describeItem,
  describePhase,
  describePlan,
  describeProgress,
  describeSummary,
} from './describe.ts';
import type { CliEvent, Summary } from './events.ts';
import { Reporter, type ReporterOptions } from './reporter.ts';

const PROGRESS_EVERY_MS = 10_000;

/**
 * For CI logs and pipes: one plain line per event, no colours, no cursor
 * tricks; a progress line every ten seconds while bytes move. Skipped files
 * are left out unless `--verbose` (a rerun over a big archive skips them all).
 */
export class LineReporter extends Reporter {
  readonly #out: Writable;
  readonly #verbose: boolean;
  readonly #timer: NodeJS.Timeout;
  #lastBytes = -1;

  constructor(options: ReporterOptions) {
    super(options.command);
    this.#out = options.stdout;
    this.#verbose = options.verbose;
    this.#timer = setInterval(() => this.#progress(), PROGRESS_EVERY_MS);
    this.#timer.unref();
  }

  protected emit(event: CliEvent): void {
    const line =
      event.type === 'phase'
        ? describePhase(event)
        : event.type === 'file'
          ? event.status === 'skipped' && !this.#verbose
            ? undefined
            : describeItem(event)
          : event.type === 'plan'
            ? describePlan(event)
            : event.type === 'message'
              ? `${event.level === 'warn' ? 'warning: ' : ''}${event.message}`
              : undefined;
    if (line !== undefined) this.#out.write(`${line}\n`);
  }

  #progress(): void {
    if (this.model.active.size === 0 || this.model.bytesDone === this.#lastBytes) return;
    this.#lastBytes = this.model.bytesDone;
    this.#out.write(`${describeProgress(this.model)}\n`);
  }

  protected async close(summary: Summary | undefined): Promise<void> {
    clearInterval(this.#timer);
    if (summary) this.#out.write(`${describeSummary(summary)}\n`);
  }
}
