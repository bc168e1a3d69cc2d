import { Worker } from 'node:worker_threads';

/**
 * Hashes on a thread of its own. A request body's `Upload-Checksum` is a
 * second digest of every byte beside the SHA-256 the server always keeps:
 * on the event loop it cost 0.6 (sha1) to 1.5 (md5) ms of CPU per MiB on
 * top of ~4.6 for receiving and storing it, a quarter of the throughput with
 * md5. Here the event loop only copies each chunk into a 1 MiB batch and
 * hands the batch over (transferred, not copied again), and the digest is
 * computed on another core while the next bytes arrive.
 *
 * One thread per process, started on first use and not keeping the process
 * alive. A hash on it is fast enough to keep up with one event loop; should
 * it fall behind anyway (a starved core), the event loop waits for it once
 * `MAX_QUEUED_BATCHES` are queued, rather than holding the backlog in memory.
 */
const BATCH_BYTES = 2 ** 20;
const MAX_QUEUED_BATCHES = 16;

// CommonJS, evaluated: no file to find beside the built or the source module.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const queued = new Int32Array(workerData);
const hashes = new Map();
parentPort.on('message', (message) => {
  const { id, type } = message;
  if (type === 'start') hashes.set(id, createHash(message.algorithm));
  else if (type === 'update') {
    hashes.get(id)?.update(new Uint8Array(message.data, 0, message.length));
    Atomics.sub(queued, 0, 1);
    Atomics.notify(queued, 0);
    parentPort.postMessage({ spent: message.data }, [message.data]);
  } else if (type === 'digest') {
    const digest = hashes.get(id)?.digest();
    hashes.delete(id);
    parentPort.postMessage({ id, digest }, digest ? [digest.buffer] : []);
  } else if (type === 'peek') {
    const digest = hashes.get(id)?.copy().digest();
    parentPort.postMessage({ id, digest }, digest ? [digest.buffer] : []);
  } else if (type === 'drop') hashes.delete(id);
});
`;

/** The hashing thread failed: the server's fault, not the request's. */
export class HashingFailure extends Error {
  override name = 'HashingFailure';
}

type Message =
  | { type: 'start'; id: number; algorithm: string }
  | { type: 'update'; id: number; data: ArrayBuffer; length: number }
  | { type: 'digest' | 'peek'; id: number }
  | { type: 'drop'; id: number };

/** A digest asked for, or a batch hashed and handed back to be filled again. */
type Answer = { id: number; digest: Uint8Array | undefined } | { spent: ArrayBuffer };

interface Pending {
  resolve(digest: Buffer): void;
  reject(error: Error): void;
}

class HashThread {
  readonly #queued = new Int32Array(new SharedArrayBuffer(4));
  readonly #pending = new Map<number, Pending>();
  /** Batches the thread has hashed: filling them again costs no fresh memory (and no page faults). */
  readonly #spare: ArrayBuffer[] = [];
  #worker: Worker | undefined;
  #nextId = 0;

  open(algorithm: string): number {
    const id = ++this.#nextId;
    this.#post({ type: 'start', id, algorithm });
    return id;
  }

  /** An empty batch to fill. */
  batch(): Buffer {
    const spare = this.#spare.pop();
    return spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(BATCH_BYTES);
  }

  update(id: number, batch: Buffer): void {
    // Under backlog, wait here (as hashing on this thread would have cost) instead of queueing more.
    while (Atomics.load(this.#queued, 0) >= MAX_QUEUED_BATCHES && this.#worker)
      Atomics.wait(this.#queued, 0, Atomics.load(this.#queued, 0), 100);
    Atomics.add(this.#queued, 0, 1);
    const data = batch.buffer as ArrayBuffer;
    this.#post({ type: 'update', id, data, length: batch.length }, [data]);
  }

  /** The digest (`peek`: of the bytes so far, the hash going on). One question per hash at a time. */
  digest(id: number, type: 'digest' | 'peek'): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ type, id });
    });
  }

  drop(id: number): void {
    this.#post({ type: 'drop', id });
  }

  #post(message: Message, transfer: ArrayBuffer[] = []): void {
    const worker = this.#start();
    if (message.type === 'digest' || message.type === 'peek') worker.ref();
    worker.postMessage(message, transfer);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: this.#queued.buffer,
      // The server's own flags (`--conditions`, loaders) mean nothing to this script.
      execArgv: [],
    });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      if ('spent' in answer) {
        if (this.#spare.length < MAX_QUEUED_BATCHES) this.#spare.push(answer.spent);
        return;
      }
      const { id, digest } = answer;
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) worker.unref();
      if (!digest) pending?.reject(new HashingFailure('A digest was asked of a hash that is gone'));
      else pending?.resolve(Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength));
    });
    const fail = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      Atomics.store(this.#queued, 0, 0);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on('error', (error) =>
      fail(new HashingFailure(`The hashing thread failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) =>
      fail(new HashingFailure(`The hashing thread exited (code ${code})`)),
    );
    this.#worker = worker;
    return worker;
  }
}

let thread: HashThread | undefined;

/** One digest computed on the hashing thread from the chunks handed to `update`, in order. */
export class OffThreadHash {
  readonly #thread: HashThread;
  readonly #id: number;
  #batch: Buffer | undefined;
  #filled = 0;

  constructor(algorithm: string) {
    thread ??= new HashThread();
    this.#thread = thread;
    this.#id = thread.open(algorithm);
  }

  update(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      this.#batch ??= this.#thread.batch();
      const copied = chunk.copy(this.#batch, this.#filled, from);
      from += copied;
      this.#filled += copied;
      if (this.#filled === BATCH_BYTES) this.flush();
    }
  }

  /** The digest of every chunk handed over; the hash is done with. */
  digest(): Promise<Buffer> {
    this.flush();
    return this.#thread.digest(this.#id, 'digest');
  }

  /** The digest of the chunks handed over so far; more may follow. */
  peek(): Promise<Buffer> {
    this.flush();
    return this.#thread.digest(this.#id, 'peek');
  }

  /** Forgets the hash without a digest. */
  discard(): void {
    this.#batch = undefined;
    this.#thread.drop(this.#id);
  }

  /** Hands what is batched to the thread now, holding no batch here until more comes. */
  flush(): void {
    if (!this.#batch || this.#filled === 0) return;
    this.#thread.update(this.#id, this.#batch.subarray(0, this.#filled));
    this.#batch = undefined;
    this.#filled = 0;
  }
}
