import { createHash, type Hash } from 'node:crypto';

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

/** Computes a body's checksum as its chunks pass, and tells whether it matches at the end. */
export class ChecksumVerifier {
  readonly #expected: BodyChecksum;
  readonly #hash: Hash;

  constructor(expected: BodyChecksum) {
    this.#expected = expected;
    this.#hash = createHash(expected.algorithm);
  }

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
  }

  matches(): boolean {
    return this.#hash.digest().equals(this.#expected.digest);
  }
}
