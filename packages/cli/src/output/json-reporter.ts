import type { Writable } from 'node:stream';
import type { CliEvent, Summary } from './events.ts';
import { Reporter, type ReporterOptions } from './reporter.ts';

const PROGRESS_EVERY_MS = 1000;

/** `--json`: every event as one line of JSON on stdout, progress at most once a second. */
export class JsonReporter extends Reporter {
  readonly #out: Writable;
  readonly #timer: NodeJS.Timeout;
  #lastBytes = -1;

  constructor(options: ReporterOptions) {
    super(options.command);
    this.#out = options.stdout;
    this.#timer = setInterval(() => this.#progress(), PROGRESS_EVERY_MS);
    this.#timer.unref();
  }

  protected emit(event: CliEvent): void {
    this.#out.write(`${JSON.stringify(event)}\n`);
  }

  #progress(): void {
    const { model } = this;
    if (!model.phase || model.bytesDone === this.#lastBytes || model.active.size === 0) return;
    this.#lastBytes = model.bytesDone;
    this.emit({
      type: 'progress',
      phase: model.phase,
      filesDone: model.filesDone,
      filesTotal: model.filesTotal,
      bytesDone: model.bytesDone,
      bytesTotal: model.bytesTotal,
      bytesPerSecond: Math.round(model.rate()),
      etaSeconds: model.eta() === null ? null : Math.round(model.eta() as number),
    });
  }

  protected async close(summary: Summary | undefined): Promise<void> {
    clearInterval(this.#timer);
    if (summary) this.emit(summary);
  }
}
