import type { Photo } from '../../contract/photos.ts';
import { abortError } from '../../core/retry.ts';
import { AbortError, AuthenticationError, FlickrError } from '../../errors.ts';
import type { FileDigest } from '../file-digest.ts';
import type { PhotoMetadata } from '../upload-file.ts';

export interface UploadManyFile {
  path: string;
  metadata?: PhotoMetadata;
  /**
   * The file's SHA-256 and size when the caller already knows them (a hash
   * cache, say): the file is then not read to hash it. A wrong digest makes
   * the server refuse the upload, so pass one only for a file that has not
   * changed since it was hashed.
   */
  digest?: FileDigest;
}

export interface UploadReportEntry {
  path: string;
  status: 'uploaded' | 'skipped' | 'failed';
  /** Why a file was skipped: the server had it, or it repeats another file of the batch. */
  reason?: 'exists' | 'duplicate-in-batch';
  sha256?: string;
  bytes?: number;
  photoId?: string;
  photo?: Photo;
  /** For uploaded files: whether the server kept the thumbnail rendered here. */
  clientThumbnail?: 'accepted' | 'rejected' | 'absent';
  error?: Error;
}

export type UploadManyEvent =
  | { type: 'hashed'; path: string; sha256: string; bytes: number }
  /** One per dedup check batch: how many of its hashes the server had. */
  | { type: 'checked'; existing: number; missing: number }
  | {
      type: 'progress';
      path: string;
      bytesSent: number;
      bytesTotal: number;
      totalSent: number;
      /** Bytes of the files found missing so far: it grows while later batches are checked. */
      totalBytes: number;
    }
  | { type: 'file'; entry: UploadReportEntry };

/** One file on its way through the stages. */
export interface Item {
  index: number;
  file: UploadManyFile;
  /** Known once hashed. */
  digest?: FileDigest;
}

/** The digest of an item past the hashing stage. */
export const digestOf = (item: Item) => item.digest as FileDigest;

const asError = (error: unknown) =>
  error instanceof Error ? error : new FlickrError(String(error));

/**
 * What a batch decided for each file, in input order, and when it must stop.
 * Each file is decided once. An `AuthenticationError` before any file was
 * sent stops every stage (`signal`) and is what the batch rejects with: a
 * wrong or revoked token fails every file alike.
 */
export class UploadReport {
  readonly items: Item[];
  readonly signal: AbortSignal;
  readonly #entries: (UploadReportEntry | undefined)[];
  readonly #emit: (event: UploadManyEvent) => void;
  readonly #stop = new AbortController();
  #fatal: Error | undefined;
  #sentAny = false;

  constructor(
    files: readonly (string | UploadManyFile)[],
    emit: (event: UploadManyEvent) => void,
    signal: AbortSignal | undefined,
  ) {
    this.items = files.map((file, index) => ({
      index,
      file: typeof file === 'string' ? { path: file } : file,
    }));
    this.#entries = this.items.map(() => undefined);
    this.#emit = emit;
    this.signal = signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
  }

  emit(event: UploadManyEvent): void {
    this.#emit(event);
  }

  entry(item: Item): UploadReportEntry | undefined {
    return this.#entries[item.index];
  }

  finish(item: Item, entry: Omit<UploadReportEntry, 'path'>): void {
    if (this.#entries[item.index]) return;
    const full = { path: item.file.path, ...item.digest, ...entry };
    this.#entries[item.index] = full;
    this.#emit({ type: 'file', entry: full });
  }

  fail(item: Item, error: unknown): void {
    const aborted = this.signal.aborted && !(error instanceof AbortError);
    this.finish(item, {
      status: 'failed',
      error: aborted ? abortError(this.signal) : asError(error),
    });
  }

  /** A transfer begins: from now on an authentication failure is a file's, not the batch's. */
  sending(): void {
    this.#sentAny = true;
  }

  /** Stops the batch when this failure means that nothing can succeed. */
  stopIfFatal(error: unknown): void {
    if (error instanceof AuthenticationError && !this.#sentAny && !this.#fatal) {
      this.#fatal = error;
      this.#stop.abort(error);
    }
  }

  get fatal(): Error | undefined {
    return this.#fatal;
  }

  entries(): UploadReportEntry[] {
    return this.#entries as UploadReportEntry[];
  }
}
