import type { Writable } from 'node:stream';
import type { Instance } from 'ink';
import type { ReactNode } from 'react';
import { describeItem, describePhase, describePlan, describeSummary } from './describe.ts';
import type { CliEvent, Summary } from './events.ts';
import { type InkModules, loadInk } from './ink-modules.ts';
import { type LogLine, progressView, type ViewState } from './progress-view.ts';
import { Reporter, type ReporterOptions } from './reporter.ts';

const FRAME_MS = 100;

/** A terminal: the ink view, redrawn ten times a second, sized to the window. */
export class InkReporter extends Reporter {
  readonly #stdout: Writable & { columns?: number };
  readonly #verbose: boolean;
  readonly #color: boolean;
  readonly #log: LogLine[] = [];
  readonly #instance: Instance;
  readonly #view: () => ReactNode;
  readonly #timer: NodeJS.Timeout;
  #frame = 0;
  #summary: LogLine | undefined;

  static async create(options: ReporterOptions): Promise<InkReporter> {
    return new InkReporter(options, await loadInk());
  }

  private constructor(options: ReporterOptions, modules: InkModules) {
    super(options.command);
    const View = progressView(modules);
    this.#view = () => modules.react.createElement(View, this.#state());
    this.#stdout = options.stdout;
    this.#verbose = options.verbose;
    this.#color = !('NO_COLOR' in options.env) || options.env.NO_COLOR === '';
    this.#instance = modules.ink.render(this.#view(), {
      stdout: options.stdout as NodeJS.WriteStream,
      stderr: options.stderr as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      interactive: true,
    });
    this.#timer = setInterval(() => this.#redraw(), FRAME_MS);
  }

  #state(): ViewState {
    return {
      model: this.model,
      log: [...this.#log],
      columns: this.#stdout.columns ?? 80,
      color: this.#color,
      frame: this.#frame,
      ...(this.#summary ? { summary: this.#summary } : {}),
    };
  }

  #redraw(): void {
    this.#frame++;
    this.#instance.rerender(this.#view());
  }

  #append(text: string, tone: LogLine['tone']): void {
    this.#log.push({ id: this.#log.length, text, tone });
  }

  protected emit(event: CliEvent): void {
    if (event.type === 'phase') this.#append(`› ${describePhase(event)}`, 'dim');
    else if (event.type === 'plan') this.#append(describePlan(event), 'plain');
    else if (event.type === 'message')
      this.#append(event.message, event.level === 'warn' ? 'warn' : 'plain');
    else if (event.type === 'file') {
      if (event.status === 'failed') this.#append(`✗ ${describeItem(event)}`, 'bad');
      else if (this.#verbose || (event.status !== 'skipped' && this.model.filesTotal <= 50))
        this.#append(`✓ ${describeItem(event)}`, event.status === 'skipped' ? 'dim' : 'good');
    }
  }

  protected async close(summary: Summary | undefined): Promise<void> {
    clearInterval(this.#timer);
    if (!summary) {
      this.#instance.unmount();
      await this.#instance.waitUntilExit();
      return;
    }
    const failed = (summary.counts.failed ?? 0) > 0 || summary.interrupted;
    this.#summary = {
      id: this.#log.length,
      text: `${failed ? '✗' : '✔'} ${describeSummary(summary)}`,
      tone: failed ? 'bad' : 'good',
    };
    this.#instance.rerender(this.#view());
    this.#instance.unmount();
    await this.#instance.waitUntilExit();
  }
}
