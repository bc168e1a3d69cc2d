import PQueue from 'p-queue';
import type { Limits } from '../../contract/uploads.ts';
import { abortError } from '../../core/retry.ts';
import { TransferGate } from '../transfer-gate.ts';
import { sendFile, type TransferOptions, type UploadContext } from '../upload-file.ts';
import type { ThumbnailSource } from './thumbnail-source.ts';
import { digestOf, type Item, type UploadReport } from './upload-report.ts';

export interface SendStageOptions extends TransferOptions {
  /** Transfers at once; never more than the server allows per user. */
  concurrency?: number | undefined;
  /** Retries per file under the client's policy (default: the client's `maxRetries`). */
  maxRetries?: number | undefined;
}

/**
 * Stage 3: sends the files the server lacks, as many at once as it allows
 * per user, with one more prepared (created) while they send, so the next
 * transfer starts the moment a slot frees. Each file is one `sendFile`,
 * which resumes and retries under the client's one policy.
 */
export class SendStage {
  readonly #context: UploadContext;
  readonly #report: UploadReport;
  readonly #thumbnails: ThumbnailSource;
  readonly #options: SendStageOptions;
  readonly #gate: TransferGate;
  readonly #queue: PQueue;
  /** Bytes each file has sent, for the totals. */
  readonly #sent = new Map<number, number>();
  #totalSent = 0;
  #totalBytes = 0;
  /** Photo ids by hash, as sends and checks learn them. */
  readonly photoOf = new Map<string, string>();

  constructor(
    context: UploadContext,
    limits: Limits,
    report: UploadReport,
    thumbnails: ThumbnailSource,
    options: SendStageOptions,
  ) {
    this.#context = context;
    this.#report = report;
    this.#thumbnails = thumbnails;
    this.#options = options;
    const slots = Math.max(
      1,
      Math.min(options.concurrency ?? Number.POSITIVE_INFINITY, limits.uploadsInFlightPerUser),
    );
    this.#gate = new TransferGate(slots);
    this.#queue = new PQueue({ concurrency: slots + 1 });
  }

  /** Whether the transfers have run out of work: the check stage's cue to send another batch. */
  get hungry(): boolean {
    return this.#queue.size === 0;
  }

  onActive(listener: () => void): () => void {
    this.#queue.addEventListener('active', listener);
    return () => this.#queue.removeEventListener('active', listener);
  }

  add(item: Item): void {
    this.#totalBytes += digestOf(item).bytes;
    this.#thumbnails.queued(item);
    void this.#queue.add(() => this.#send(item));
  }

  idle(): Promise<void> {
    return this.#queue.onIdle();
  }

  async #send(item: Item): Promise<void> {
    const report = this.#report;
    const digest = digestOf(item);
    if (report.signal.aborted) return report.fail(item, abortError(report.signal));
    report.sending();
    const fields = await this.#thumbnails.fieldsFor(item);
    // Prepared while others send, but not in the moments one of them starts to.
    await this.#gate.sending();
    let transferMs = 0;
    try {
      const { resumableThreshold, chunkSize, maxRetries } = this.#options;
      const result = await sendFile(
        this.#context,
        { path: item.file.path },
        digest,
        item.file.metadata ?? {},
        {
          clientThumbnail: false,
          thumbnailFields: fields,
          createFirst: true,
          gate: this.#gate,
          onPatchTime: (ms) => {
            transferMs += ms;
          },
          signal: report.signal,
          ...(resumableThreshold === undefined ? {} : { resumableThreshold }),
          ...(chunkSize === undefined ? {} : { chunkSize }),
          ...(maxRetries === undefined ? {} : { maxRetries }),
          onProgress: (bytesSent, bytesTotal) => this.#progress(item, bytesSent, bytesTotal),
        },
      );
      this.#thumbnails.sent(digest.bytes, transferMs);
      this.photoOf.set(digest.sha256, result.photo.id);
      report.finish(item, {
        status: result.duplicate ? 'skipped' : 'uploaded',
        ...(result.duplicate ? { reason: 'exists' as const } : {}),
        photoId: result.photo.id,
        photo: result.photo,
        clientThumbnail: result.clientThumbnail,
      });
    } catch (error) {
      report.fail(item, error);
    }
  }

  #progress(item: Item, bytesSent: number, bytesTotal: number): void {
    this.#totalSent += bytesSent - (this.#sent.get(item.index) ?? 0);
    this.#sent.set(item.index, bytesSent);
    this.#report.emit({
      type: 'progress',
      path: item.file.path,
      bytesSent,
      bytesTotal,
      totalSent: this.#totalSent,
      totalBytes: this.#totalBytes,
    });
  }
}
