import type { ReactNode } from 'react';
import { describeProgress } from './describe.ts';
import { fitPath, formatBytes, formatDuration, formatRate } from './format.ts';
import type { InkModules } from './ink-modules.ts';
import type { ActiveItem, ProgressModel } from './progress-model.ts';

export interface LogLine {
  id: number;
  text: string;
  tone: 'plain' | 'good' | 'bad' | 'dim' | 'warn';
}

export interface ViewState {
  model: ProgressModel;
  log: LogLine[];
  /** Terminal width in columns. */
  columns: number;
  color: boolean;
  /** Animation frame, advanced by the reporter's timer. */
  frame: number;
  /** The final line; the live part is gone once it is set. */
  summary?: LogLine;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TONES: Record<LogLine['tone'], string | undefined> = {
  plain: undefined,
  good: 'green',
  bad: 'red',
  dim: 'gray',
  warn: 'yellow',
};
const MAX_ACTIVE = 4;

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** The overall line: spinner, phase, bar, percentage, files, bytes, rate, ETA. */
function overallLine(model: ProgressModel, frame: number, width: number): string {
  const fraction = model.bytesTotal
    ? model.bytesDone / model.bytesTotal
    : model.filesTotal
      ? model.filesDone / model.filesTotal
      : 0;
  const spinner = SPINNER[frame % SPINNER.length] as string;
  const barWidth = Math.max(10, Math.min(30, Math.floor(width / 4)));
  const figures = describeProgress(model).replace(/^[^:]*: /, '');
  const percent = String(Math.floor(Math.min(1, fraction) * 100)).padStart(3);
  return `${spinner} ${model.phase} ${bar(fraction, barWidth)} ${percent}%  ${figures}`;
}

/** One file in flight: its name, a small bar, bytes, its own rate and ETA. */
function activeLine(item: ActiveItem, width: number, now: number): string {
  const seconds = (now - item.startedAt) / 1000;
  const rate = seconds > 0.2 ? item.bytesDone / seconds : 0;
  const left = item.bytesTotal - item.bytesDone;
  const numbers = [
    `${formatBytes(item.bytesDone)} of ${formatBytes(item.bytesTotal)}`,
    rate ? formatRate(rate) : '',
    rate && left > 0 ? `ETA ${formatDuration(left / rate)}` : '',
  ]
    .filter(Boolean)
    .join('  ');
  const small = Math.max(6, Math.min(16, Math.floor(width / 8)));
  const labelWidth = Math.max(8, Math.min(48, width - numbers.length - small - 6));
  const fraction = item.bytesTotal ? item.bytesDone / item.bytesTotal : 0;
  return `  ${fitPath(item.label, labelWidth).padEnd(labelWidth)} ${bar(fraction, small)} ${numbers}`;
}

/**
 * The live view, built on the ink and React modules given: finished lines
 * above (kept in the scrollback), then the phase with an overall bar, then
 * a line per file in flight. Everything fits the terminal's width.
 */
export function progressView({ ink, react }: InkModules) {
  const { Box, Static, Text } = ink;
  const h = react.createElement;
  const logLine = (entry: LogLine, color: boolean, width: number): ReactNode => {
    const tone = color ? TONES[entry.tone] : undefined;
    return h(
      Text,
      { key: entry.id, ...(tone ? { color: tone } : {}), wrap: 'truncate-end' },
      fitPath(entry.text, width),
    );
  };

  return function ProgressView(state: ViewState): ReactNode {
    const { model, color } = state;
    const width = Math.max(20, state.columns - 1);
    const dim = color ? { dimColor: true } : {};
    const log = h(Static<LogLine>, {
      items: state.summary ? [...state.log, state.summary] : state.log,
      children: (entry: LogLine) => logLine(entry, color, width),
    });
    if (state.summary || !model.phase) return h(Box, { flexDirection: 'column' }, log);
    const now = Date.now();
    const active = [...model.active.entries()]
      .slice(0, MAX_ACTIVE)
      .map(([key, item]) =>
        h(Text, { key, wrap: 'truncate-end', ...dim }, activeLine(item, width, now)),
      );
    const more = model.active.size - MAX_ACTIVE;
    return h(
      Box,
      { flexDirection: 'column' },
      log,
      h(
        Text,
        { wrap: 'truncate-end', ...(color ? { color: 'cyan' } : {}) },
        overallLine(model, state.frame, width),
      ),
      ...active,
      more > 0 ? h(Text, { key: 'more', ...dim }, `  … and ${more} more`) : null,
    );
  };
}
