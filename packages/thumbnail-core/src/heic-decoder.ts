import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CorruptImageError, ImageTooLargeError, UnsupportedFormatError } from './errors.ts';
import type { HeicRequest, HeicResponse } from './heic-protocol.ts';

/** A decoded HEIC: its upright pixels as an uncompressed TIFF, with the file's ICC profile. */
export interface DecodedHeic {
  readonly tiff: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface HeicDecodeOptions {
  readonly pixelLimit: number;
  readonly timeoutSeconds: number;
  readonly iccProfile: Uint8Array | undefined;
}

/**
 * The worker ends after this long without work: its WebAssembly memory grows
 * to the largest image decoded (about 100 MB for 12 MP) and is only given
 * back with the thread. The next HEIC starts a new one, in about 100 ms.
 */
const IDLE_MS = 10_000;

// Beside this file: `.ts` in the sources, `.js` or `.cjs` in dist, built by tsup from heic-worker.ts.
const WORKER_URL = new URL(
  `./heic-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/**
 * The decoder itself failed (libheif-js missing, the worker unable to
 * start): nothing to do with the image, so not a ThumbnailError, and not
 * to be taken as a verdict on the image.
 */
export class HeicDecoderFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HeicDecoderFailure';
  }
}

interface Job {
  readonly bytes: Uint8Array;
  readonly options: HeicDecodeOptions;
  readonly resolve: (decoded: DecodedHeic) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Runs one decode at a time on one worker thread, shared by every caller in
 * the process: a HEIC decode takes a core and, for 12 MP, about 100 MB, and
 * two at once would only share the core. The worker starts with the first
 * HEIC, not before: a process that never sees one never loads libheif.
 */
class HeicDecoderThread {
  #worker: Worker | undefined;
  #current: (Job & { id: number; timer: NodeJS.Timeout; worker: Worker }) | undefined;
  readonly #queue: Job[] = [];
  #nextId = 0;
  #idle: NodeJS.Timeout | undefined;

  decode(bytes: Uint8Array, options: HeicDecodeOptions): Promise<DecodedHeic> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ bytes, options, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#current) return;
    const job = this.#queue.shift();
    clearTimeout(this.#idle);
    if (!job) {
      const worker = this.#worker;
      if (worker) {
        worker.unref();
        this.#idle = setTimeout(() => this.#stop(worker), IDLE_MS).unref();
      }
      return;
    }
    const worker = this.#start();
    worker.ref();
    const id = ++this.#nextId;
    const timer = setTimeout(() => {
      // Ending the thread is the only way to stop a running WebAssembly decode.
      this.#stop(worker);
      this.#settle(
        id,
        new CorruptImageError(
          `Decoding took too long and was aborted: HEIC decode timeout after ${job.options.timeoutSeconds} s`,
        ),
      );
    }, job.options.timeoutSeconds * 1000);
    this.#current = { ...job, id, timer, worker };
    const request: HeicRequest = {
      id,
      bytes: job.bytes,
      pixelLimit: job.options.pixelLimit,
      iccProfile: job.options.iccProfile,
    };
    worker.postMessage(request, [job.bytes.buffer as ArrayBuffer]);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL, {
      // Inherited, `--input-type` (of `node -e`) would refuse to load a worker file.
      execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')),
    });
    worker.on('message', (response: HeicResponse) => {
      // It exits after a fatal failure: the next job must not be sent to it.
      if (!response.ok && response.fatal) this.#stop(worker);
      this.#settle(response.id, response);
    });
    worker.on('error', (error) => {
      if (this.#current?.worker === worker) {
        this.#settle(
          this.#current.id,
          new HeicDecoderFailure(`The HEIC decoder failed: ${error.message}`, { cause: error }),
        );
      }
    });
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined;
      if (this.#current?.worker === worker) {
        this.#settle(
          this.#current.id,
          new CorruptImageError('The HEIC decoder stopped while decoding this image'),
        );
      }
    });
    this.#worker = worker;
    return worker;
  }

  /** Forgets the worker at once, so that no job is sent to it while it ends. */
  #stop(worker: Worker): void {
    if (this.#worker === worker) this.#worker = undefined;
    void worker.terminate();
  }

  #settle(id: number, outcome: HeicResponse | Error): void {
    const job = this.#current;
    if (!job || job.id !== id) return; // the answer to a job that already timed out
    clearTimeout(job.timer);
    this.#current = undefined;
    if (outcome instanceof Error) job.reject(outcome);
    else if (outcome.ok) {
      const { tiff, width, height } = outcome;
      job.resolve({
        tiff: Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength),
        width,
        height,
      });
    } else job.reject(typedError(outcome, job.options.pixelLimit));
    this.#next();
  }
}

function typedError(failure: Extract<HeicResponse, { ok: false }>, pixelLimit: number): Error {
  const { kind, message, width, height } = failure;
  if (kind === 'too-large' && width && height)
    return new ImageTooLargeError(width, height, pixelLimit);
  if (kind === 'unsupported') {
    return new UnsupportedFormatError(
      `HEIC image uses a feature libheif cannot decode: ${message}`,
      'heic',
    );
  }
  return new CorruptImageError(`Cannot decode HEIC image: ${message}`);
}

let thread: HeicDecoderThread | undefined;

/**
 * Decodes the primary image of a HEIC file, upright (libheif applies `irot`,
 * `imir` and `clap`), on a worker thread.
 *
 * @param bytes the whole file; it is handed over to the worker, so the caller must not keep using it
 * @throws {CorruptImageError | ImageTooLargeError | UnsupportedFormatError}
 */
export function decodeHeic(bytes: Uint8Array, options: HeicDecodeOptions): Promise<DecodedHeic> {
  thread ??= new HeicDecoderThread();
  // Transferred, not copied: a view of part of a larger buffer would take all of it along.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return thread.decode(whole ? bytes : new Uint8Array(bytes), options);
}
