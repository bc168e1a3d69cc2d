import { OffThreadHash } from './off-thread-hash.ts';

/** The algorithms tus's checksum extension may name here (sha1 is the one every server must offer). */
export const CHECKSUM_ALGORITHMS = ['md5', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A checksum a client sent for one request body. */
export interface BodyChecksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * Computes a body's checksum as its chunks pass (on the hashing thread, so
 * that it costs the event loop a copy, not a digest), and tells whether it
 * matches at the end.
 */
export class ChecksumVerifier {
  readonly #expected: BodyChecksum;
  readonly #hash: OffThreadHash;

  constructor(expected: BodyChecksum) {
    this.#expected = expected;
    this.#hash = new OffThreadHash(expected.algorithm);
  }

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
  }

  async matches(): Promise<boolean> {
    return (await this.#hash.digest()).equals(this.#expected.digest);
  }

  /** The body failed before its end: no digest is wanted. */
  discard(): void {
    this.#hash.discard();
  }
}
