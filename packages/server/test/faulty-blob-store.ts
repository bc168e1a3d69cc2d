// A blob store that fails chosen writes, as a full disk or a flaky object
// store would, for the saga's retry tests.
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, ByteRange } from '../src/ports/blob-store.ts';

/** One injected fault: writes to keys that `matches` fail while `remaining` lasts. */
export interface BlobFault {
  matches(key: string): boolean;
  remaining: number;
}

/** The error an injected fault throws: a plain, transient one, as from a disk or network. */
export class InjectedWriteError extends Error {
  constructor(key: string) {
    super(`injected write failure for ${key}`);
    this.name = 'InjectedWriteError';
  }
}

/** Delegates to another store; `put` and `putFile` fail as the active faults say. */
export class FaultyBlobStore implements BlobStore {
  readonly #inner: BlobStore;
  readonly #faults = new Set<BlobFault>();

  constructor(inner: BlobStore) {
    this.#inner = inner;
  }

  /** Fails the next `times` writes to matching keys (`Infinity`: until healed). Returns the way to heal it. */
  failWrites(matches: (key: string) => boolean, times: number): { heal(): void } {
    const fault: BlobFault = { matches, remaining: times };
    this.#faults.add(fault);
    return { heal: () => this.#faults.delete(fault) };
  }

  #check(key: string): void {
    for (const fault of this.#faults) {
      if (fault.remaining > 0 && fault.matches(key)) {
        fault.remaining--;
        throw new InjectedWriteError(key);
      }
    }
  }

  async putFile(key: string, path: string): Promise<BlobInfo> {
    this.#check(key);
    return this.#inner.putFile(key, path);
  }

  async put(key: string, data: Uint8Array): Promise<BlobInfo> {
    this.#check(key);
    return this.#inner.put(key, data);
  }

  stat(key: string): Promise<BlobInfo | undefined> {
    return this.#inner.stat(key);
  }

  read(key: string, range?: ByteRange): Promise<Readable> {
    return this.#inner.read(key, range);
  }

  localFile(key: string): Promise<{ path: string; release(): Promise<void> }> {
    return this.#inner.localFile(key);
  }

  copyTo(key: string, target: BlobStore): Promise<BlobInfo> {
    return this.#inner.copyTo(key, target);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  sweepIncoming(olderThanMs: number): Promise<number> {
    return this.#inner.sweepIncoming(olderThanMs);
  }
}
