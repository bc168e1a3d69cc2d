import type { SendStage } from './send-stage.ts';
import { digestOf, type Item, type UploadReport } from './upload-report.ts';

/** Checks the hashes of one batch: what the server already has. */
export type CheckHashes = (
  hashes: string[],
  signal?: AbortSignal,
) => Promise<{ existing: { sha256: string; photoId: string }[] }>;

/**
 * Stage 2: asks the server in batches which hashed files it already has,
 * and hands the others to the send stage. A batch goes out as soon as the
 * transfers run short of work, or when it is full, carrying every hash ready
 * by then; one check runs at a time. A failed check fails its files only.
 */
export class CheckStage {
  readonly #check: CheckHashes;
  readonly #report: UploadReport;
  readonly #send: SendStage;
  readonly #batchSize: number;
  readonly #waiting: Item[] = [];
  #running: Promise<void> | undefined;
  #hashingDone = false;

  constructor(check: CheckHashes, report: UploadReport, send: SendStage, batchSize: number) {
    this.#check = check;
    this.#report = report;
    this.#send = send;
    this.#batchSize = batchSize;
  }

  add(item: Item): void {
    this.#waiting.push(item);
    this.maybeCheck();
  }

  /** No more hashes will come: check what is left, now. */
  async finish(): Promise<void> {
    this.#hashingDone = true;
    this.maybeCheck();
    while (this.#running) await this.#running;
  }

  maybeCheck(): void {
    if (this.#running || this.#waiting.length === 0) return;
    if (!this.#send.hungry && !this.#hashingDone && this.#waiting.length < this.#batchSize) return;
    const batch = this.#waiting.splice(0, this.#batchSize);
    this.#running = this.#run(batch).finally(() => {
      this.#running = undefined;
      this.maybeCheck();
    });
  }

  async #run(batch: Item[]): Promise<void> {
    const report = this.#report;
    try {
      const { existing } = await this.#check(
        batch.map((item) => digestOf(item).sha256),
        report.signal,
      );
      for (const known of existing) this.#send.photoOf.set(known.sha256, known.photoId);
      report.emit({
        type: 'checked',
        existing: existing.length,
        missing: batch.length - existing.length,
      });
      for (const item of batch) {
        const photoId = this.#send.photoOf.get(digestOf(item).sha256);
        if (photoId) report.finish(item, { status: 'skipped', reason: 'exists', photoId });
        else this.#send.add(item);
      }
    } catch (error) {
      report.stopIfFatal(error);
      for (const item of batch) report.fail(item, error);
    }
  }
}
