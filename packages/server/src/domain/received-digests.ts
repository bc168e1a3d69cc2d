import type { ImageProbe } from '@flickr-kit/thumbnail-core';
import { OffThreadHash } from './off-thread-hash.ts';
import { UploadHead } from './upload-head.ts';

interface RunningHash {
  hash: OffThreadHash;
  /** Bytes hashed so far, which must equal the offset of the next append. */
  offset: number;
}

/** What an append reports to the digests as its bytes pass. */
export interface AppendWatch {
  onChunk(chunk: Buffer): void;
  /** Whether it hashes the upload from its first byte (and so has `sha256FromStart`). */
  readonly hashesFromStart: boolean;
  /**
   * The SHA-256 of the bytes seen so far, when they are all of the upload
   * from its first byte: an append's `Upload-Checksum: sha256` is then
   * checked against it, without hashing the body a second time.
   */
  sha256FromStart(): Promise<Buffer | undefined>;
  /** Every chunk seen was stored, and the upload now ends at `end`. */
  stored(end: number): void;
  /** The append failed or was taken back: what was seen is not what is stored. */
  lost(): void;
}

/**
 * Uploads followed at most. One abandoned halfway is otherwise never
 * forgotten (its expiry is swept by a job, maybe in another process);
 * forgetting the oldest costs its pivot, should it come, one read of the file.
 */
const MAX_FOLLOWED = 10_000;

/** Drops the entries followed longest ago (a Map keeps insertion order; each append re-inserts). */
function bound<V>(map: Map<string, V>, max: number, drop?: (value: V) => void): void {
  for (const [key, value] of map) {
    if (map.size <= max) return;
    map.delete(key);
    drop?.(value);
  }
}

const discard = (running: RunningHash) => running.hash.discard();

/**
 * For bytes that never reach the pivot themselves (a partial upload's: its
 * final upload's are hashed as they are put together): nothing to compute.
 */
export const UNWATCHED: AppendWatch = {
  onChunk: () => {},
  hashesFromStart: false,
  sha256FromStart: async () => undefined,
  stored: () => {},
  lost: () => {},
};

/**
 * SHA-256 of uploads computed while their bytes arrive, so the pivot need
 * not read a whole file again, and each image probed from its header as
 * soon as that has arrived, so the pivot need not wait for a probe either
 * (1 to 2 ms of the ~20 a 2 MiB photo's upload takes on loopback). The
 * hashes are computed on the hashing thread: the event loop, which receives
 * and stores the bytes, spends a copy on each (0.1 ms per MiB) instead of a
 * SHA-256 (0.66 ms per MiB with SHA instructions). Both live
 * in this process: after a restart, when another process received part of
 * an upload, or after an append that failed, they are gone, and the pivot
 * hashes and probes the staged bytes instead.
 */
export class ReceivedDigests {
  readonly #hashes = new Map<string, RunningHash>();
  readonly #probes = new Map<string, Promise<ImageProbe | undefined>>();
  readonly #probeHead: ((header: Buffer) => Promise<ImageProbe | undefined>) | undefined;
  readonly #max: number;

  constructor(probeHead?: (header: Buffer) => Promise<ImageProbe | undefined>, max = MAX_FOLLOWED) {
    this.#probeHead = probeHead;
    this.#max = max;
  }

  /** Follows an append that starts at `offset`. */
  watch(uploadId: string, offset: number): AppendWatch {
    const known = this.#hashes.get(uploadId);
    this.#hashes.delete(uploadId);
    const running =
      offset === 0
        ? { hash: new OffThreadHash('sha256'), offset: 0 }
        : known?.offset === offset
          ? known
          : undefined;
    if (known && known !== running) discard(known);
    // An upload's header arrives in the append that starts at its first byte.
    const head = offset === 0 && this.#probeHead ? new UploadHead() : undefined;
    let probing: Promise<ImageProbe | undefined> | undefined;
    return {
      onChunk: (chunk) => {
        running?.hash.update(chunk);
        const header = head?.add(chunk);
        if (header && this.#probeHead) probing = this.#probeHead(header);
      },
      hashesFromStart: offset === 0,
      sha256FromStart: async () => (offset === 0 ? running?.hash.peek() : undefined),
      stored: (end) => {
        const header = probing ? undefined : head?.finish();
        if (header && this.#probeHead) probing = this.#probeHead(header);
        if (running) {
          // No batch held between appends: an upload may wait a long time for its next bytes.
          running.hash.flush();
          this.#hashes.set(uploadId, { hash: running.hash, offset: end });
        }
        // Re-inserted, as the hash is: the upload was heard from just now.
        const probe = probing ?? this.#probes.get(uploadId);
        this.#probes.delete(uploadId);
        if (probe) this.#probes.set(uploadId, probe);
        bound(this.#hashes, this.#max, discard);
        bound(this.#probes, this.#max);
      },
      lost: () => {
        if (running) discard(running);
        this.#probes.delete(uploadId);
      },
    };
  }

  /** The SHA-256 of a complete upload, if every byte passed through here; taken once. */
  async digest(uploadId: string, size: number): Promise<string | undefined> {
    const running = this.#hashes.get(uploadId);
    this.#hashes.delete(uploadId);
    if (!running) return undefined;
    if (running.offset !== size) {
      discard(running);
      return undefined;
    }
    return (await running.hash.digest()).toString('hex');
  }

  /** The probe made from the upload's first bytes, if there is one; taken once. */
  earlyProbe(uploadId: string): Promise<ImageProbe | undefined> | undefined {
    const probing = this.#probes.get(uploadId);
    this.#probes.delete(uploadId);
    return probing;
  }

  forget(uploadId: string): void {
    const running = this.#hashes.get(uploadId);
    if (running) discard(running);
    this.#hashes.delete(uploadId);
    this.#probes.delete(uploadId);
  }
}
