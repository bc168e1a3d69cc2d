import type { FileStatus, ItemEvent, Phase, PlanEvent, Summary } from './events.ts';

export interface ActiveItem {
  label: string;
  bytesDone: number;
  bytesTotal: number;
  startedAt: number;
}

const RATE_WINDOW_MS = 5000;

/**
 * The state every view renders: the phase, how far it is (files, bytes),
 * what is in flight, the rate over the last few seconds and an ETA, and the
 * totals the summary reports.
 */
export class ProgressModel {
  phase: Phase | undefined;
  filesTotal = 0;
  filesDone = 0;
  bytesTotal = 0;
  bytesTransferred = 0;
  readonly active = new Map<string, ActiveItem>();
  readonly counts: Partial<Record<FileStatus, number>> = {};
  readonly failures: Summary['failures'] = [];
  readonly planned: Summary['planned'] = {};
  readonly startedAt: number;
  #bytesFinished = 0;
  #samples: [number, number][] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.startedAt = now();
  }

  setPhase(phase: Phase, totals: { files?: number; bytes?: number } = {}): void {
    this.phase = phase;
    this.filesTotal = totals.files ?? 0;
    this.bytesTotal = totals.bytes ?? 0;
    this.filesDone = 0;
    this.#bytesFinished = 0;
    this.#samples = [[this.#now(), 0]];
    this.active.clear();
  }

  /** Totals learnt after the phase began (the upload's byte total, say). */
  setTotals(totals: { files?: number; bytes?: number }): void {
    if (totals.files !== undefined) this.filesTotal = totals.files;
    if (totals.bytes !== undefined) this.bytesTotal = totals.bytes;
  }

  start(key: string, label: string, bytesTotal: number): void {
    this.active.set(key, { label, bytesDone: 0, bytesTotal, startedAt: this.#now() });
  }

  advance(key: string, bytesDone: number, bytesTotal?: number): void {
    const item = this.active.get(key);
    if (!item) return;
    item.bytesDone = bytesDone;
    if (bytesTotal !== undefined) item.bytesTotal = bytesTotal;
    this.#sample();
  }

  /** One step of the phase done (a file hashed), without an item of the report. */
  complete(key: string, bytes: number): void {
    this.active.delete(key);
    this.filesDone++;
    this.#bytesFinished += bytes;
    this.#sample();
  }

  /**
   * An item of the report finished; `transferred` is what crossed the network
   * for it; `key` is the one it was started under.
   */
  item(event: ItemEvent, transferred = 0, key = event.path ?? event.photoId ?? ''): void {
    const active = this.active.get(key);
    this.active.delete(key);
    this.filesDone++;
    this.#bytesFinished += active ? Math.max(active.bytesTotal, active.bytesDone) : transferred;
    this.bytesTransferred += transferred;
    this.counts[event.status] = (this.counts[event.status] ?? 0) + 1;
    if (event.status === 'failed')
      this.failures.push({
        ...(event.path ? { path: event.path } : {}),
        ...(event.photoId ? { photoId: event.photoId } : {}),
        ...(event.reason ? { reason: event.reason } : {}),
        error: event.error ?? 'failed',
      });
    this.#sample();
  }

  plan(event: PlanEvent): void {
    const entry = this.planned[event.action] ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += event.bytes ?? 0;
    this.planned[event.action] = entry;
  }

  get bytesDone(): number {
    let inFlight = 0;
    for (const item of this.active.values()) inFlight += item.bytesDone;
    return this.#bytesFinished + inFlight;
  }

  /** Bytes per second over the last few seconds. */
  rate(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last[0] === first[0]) return 0;
    return ((last[1] - first[1]) * 1000) / (last[0] - first[0]);
  }

  /** Seconds left at the current rate; null when it cannot be told. */
  eta(): number | null {
    const rate = this.rate();
    if (rate <= 0 || this.bytesTotal <= 0) return null;
    return Math.max(0, (this.bytesTotal - this.bytesDone) / rate);
  }

  elapsedMs(): number {
    return this.#now() - this.startedAt;
  }

  #sample(): void {
    const now = this.#now();
    const last = this.#samples.at(-1);
    if (last && now - last[0] < 100) last[1] = this.bytesDone;
    else this.#samples.push([now, this.bytesDone]);
    while (
      this.#samples.length > 2 &&
      now - (this.#samples[0] as [number, number])[0] > RATE_WINDOW_MS
    )
      this.#samples.shift();
  }
}
