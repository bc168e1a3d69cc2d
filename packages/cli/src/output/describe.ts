import {
  type CliEvent,
  type ItemEvent,
  type PlanEvent,
  PROCESSING_FAILED,
  type Summary,
} from './events.ts';
import { formatBytes, formatDuration, plural } from './format.ts';
import type { ProgressModel } from './progress-model.ts';

/** Words both human views use, so the terminal and a CI log say the same thing. */

const PHASES: Record<string, (counts: string) => string> = {
  scanning: () => 'looking for files',
  hashing: (counts) => `hashing ${counts}`,
  checking: (counts) => `checking ${counts} with the server`,
  uploading: (counts) => `uploading ${counts}`,
  processing: (counts) => `waiting until the server has processed ${counts}`,
  listing: () => 'listing photos on the server',
  downloading: (counts) => `downloading ${counts}`,
  moving: (counts) => `moving ${counts} between albums`,
  deleting: (counts) => `deleting ${counts}`,
  watching: () => 'watching for new or changed files (Ctrl-C to stop)',
};

export function describePhase(event: Extract<CliEvent, { type: 'phase' }>): string {
  const counts = [
    event.files !== undefined ? plural(event.files, 'file') : '',
    event.bytes ? formatBytes(event.bytes) : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (PHASES[event.phase]?.(counts || 'files') ?? event.phase).trim();
}

const REASONS: Record<string, string> = {
  exists: 'already on the server',
  'duplicate-in-batch': 'same content as another file of this run',
  present: 'already here',
};

export function describeItem(event: ItemEvent): string {
  const what = event.path ?? event.photoId ?? '';
  if (event.status === 'failed' && event.reason === PROCESSING_FAILED)
    return `failed     ${what}: the server could not process it: ${event.error ?? 'no reason given'}`;
  if (event.status === 'failed') return `failed     ${what}: ${event.error ?? 'failed'}`;
  const detail =
    event.status === 'skipped'
      ? (REASONS[event.reason ?? ''] ?? event.reason ?? '')
      : event.bytes !== undefined
        ? formatBytes(event.bytes)
        : (event.reason ?? '');
  return `${event.status.padEnd(10)} ${what}${detail ? ` (${detail})` : ''}`;
}

export function describePlan(event: PlanEvent): string {
  const what = event.path ?? event.photoId ?? '';
  const extra = [
    event.bytes !== undefined ? formatBytes(event.bytes) : '',
    event.album !== undefined ? `album ${event.album ?? '(none)'}` : '',
    event.reason ? (REASONS[event.reason] ?? event.reason) : '',
  ].filter(Boolean);
  return `would ${event.action.padEnd(8)} ${what}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

export function describeProgress(model: ProgressModel): string {
  const parts = [
    model.filesTotal ? `${model.filesDone}/${model.filesTotal} files` : '',
    model.bytesTotal
      ? `${formatBytes(model.bytesDone)} of ${formatBytes(model.bytesTotal)}`
      : model.bytesDone
        ? formatBytes(model.bytesDone)
        : '',
    model.rate() > 0 ? `${formatBytes(Math.round(model.rate()))}/s` : '',
    model.eta() !== null ? `ETA ${formatDuration(model.eta() as number)}` : '',
  ].filter(Boolean);
  return `${model.phase ?? ''}: ${parts.join(', ')}`;
}

const ORDER = ['uploaded', 'downloaded', 'ready', 'moved', 'deleted', 'skipped', 'failed'] as const;

/** `200 uploaded, 3 skipped, 1 failed in 18s; 404 MB sent`. */
export function describeSummary(summary: Summary): string {
  const counts = ORDER.filter((status) => summary.counts[status]).map(
    (status) => `${summary.counts[status]?.toLocaleString('en-US')} ${status}`,
  );
  const verb = summary.command.startsWith('download') || summary.command === 'sync pull';
  const transferred =
    summary.bytesTransferred > 0
      ? `${formatBytes(summary.bytesTransferred)} ${verb ? 'received' : 'sent'}`
      : `0 bytes of image data ${verb ? 'received' : 'sent'}`;
  if (summary.dryRun) {
    const planned = Object.entries(summary.planned).map(
      ([action, { count, bytes }]) =>
        `would ${action} ${plural(count, 'file')}${bytes && action !== 'skip' ? ` (${formatBytes(bytes)})` : ''}`,
    );
    return `dry run: ${planned.length ? planned.join(', ') : 'nothing to do'}; nothing changed`;
  }
  const head = summary.interrupted ? 'interrupted' : 'done';
  const unprocessed = summary.failures.filter((f) => f.reason === PROCESSING_FAILED).length;
  const advice = unprocessed
    ? `; the server could not process ${plural(unprocessed, 'photo')} (flickr-cli photos ls --status failed)`
    : '';
  return `${head}: ${counts.length ? counts.join(', ') : 'nothing to do'} in ${formatDuration(summary.durationMs / 1000)}; ${transferred}${advice}`;
}
