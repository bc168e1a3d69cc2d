import type { Writable } from 'node:stream';
import type { CliEvent, ItemEvent, Phase, PlanEvent, Summary } from './events.ts';
import { ProgressModel } from './progress-model.ts';

/**
 * What long commands tell the person or program running them. Commands call
 * these; the three views (terminal, plain lines, NDJSON) decide how it shows.
 */
export abstract class Reporter {
  readonly model = new ProgressModel();
  readonly #command: string;
  #dryRun = false;

  constructor(command: string) {
    this.#command = command;
  }

  phase(phase: Phase, totals: { files?: number; bytes?: number } = {}): void {
    this.model.setPhase(phase, totals);
    this.emit({ type: 'phase', phase, ...totals });
  }

  /** Totals learnt after the phase began. */
  totals(totals: { files?: number; bytes?: number }): void {
    this.model.setTotals(totals);
  }

  start(key: string, label: string, bytesTotal: number): void {
    this.model.start(key, label, bytesTotal);
  }

  advance(key: string, bytesDone: number, bytesTotal?: number): void {
    this.model.advance(key, bytesDone, bytesTotal);
  }

  /** A step of the phase done that is not an item of the report (a file hashed). */
  complete(key: string, bytes: number): void {
    this.model.complete(key, bytes);
  }

  /**
   * An item finished: uploaded, downloaded, skipped, failed, deleted…
   * `transferred` is what crossed the network for it, `key` what it was started under.
   */
  item(event: Omit<ItemEvent, 'type'>, transferred = 0, key?: string): void {
    const full: ItemEvent = { type: 'file', ...event };
    this.model.item(full, transferred, key);
    this.emit(full);
  }

  /** `--dry-run`: something the command would do. */
  plan(event: Omit<PlanEvent, 'type'>): void {
    this.#dryRun = true;
    const full: PlanEvent = { type: 'plan', ...event };
    this.model.plan(full);
    this.emit(full);
  }

  message(message: string, level: 'info' | 'warn' = 'info'): void {
    this.emit({ type: 'message', level, message });
  }

  /** Reports the summary and releases the view; returns it for the exit code. */
  async finish(options: { interrupted?: boolean } = {}): Promise<Summary> {
    const summary: Summary = {
      type: 'summary',
      command: this.#command,
      dryRun: this.#dryRun,
      interrupted: options.interrupted ?? false,
      counts: { ...this.model.counts },
      planned: structuredClone(this.model.planned),
      bytesTransferred: this.model.bytesTransferred,
      durationMs: Math.round(this.model.elapsedMs()),
      failures: [...this.model.failures],
    };
    await this.close(summary);
    return summary;
  }

  /** Releases the view without a summary: the command failed as a whole and says why itself. */
  async fail(): Promise<void> {
    await this.close(undefined);
  }

  protected abstract emit(event: CliEvent): void;
  protected abstract close(summary: Summary | undefined): Promise<void>;
}

export interface ReporterOptions {
  command: string;
  json: boolean;
  verbose: boolean;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** A terminal gets the live view; CI and pipes get plain lines; `--json` gets NDJSON. */
export async function createReporter(options: ReporterOptions): Promise<Reporter> {
  if (options.json) {
    const { JsonReporter } = await import('./json-reporter.ts');
    return new JsonReporter(options);
  }
  if (interactive(options)) {
    // Loaded only here: a script or CI job never pays for React.
    const { InkReporter } = await import('./ink-reporter.ts');
    return InkReporter.create(options);
  }
  const { LineReporter } = await import('./line-reporter.ts');
  return new LineReporter(options);
}

function interactive(options: ReporterOptions): boolean {
  const { env, stdout } = options;
  return Boolean(stdout.isTTY) && !env.CI && env.TERM !== 'dumb';
}
