import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OffThreadHash } from './off-thread-hash.ts';

/** `data` cut at uneven places, as a socket would hand it over. */
function chunksOf(data: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('a hash computed on the hashing thread', () => {
  it('gives the digest node:crypto gives, for every algorithm, across batch boundaries', async () => {
    const data = randomBytes(3 * 2 ** 20 + 12_345);
    for (const algorithm of ['md5', 'sha1', 'sha256']) {
      const hash = new OffThreadHash(algorithm);
      for (const chunk of chunksOf(data, [65_536, 1, 3 * 2 ** 20, 777])) hash.update(chunk);
      expect((await hash.digest()).toString('hex'), algorithm).toBe(
        createHash(algorithm).update(data).digest('hex'),
      );
    }
  });

  it('keeps hashes apart when their chunks interleave', async () => {
    const inputs = Array.from({ length: 6 }, (_, i) => randomBytes(2 ** 20 + i * 1000));
    const hashes = inputs.map(() => new OffThreadHash('sha1'));
    const split = inputs.map((data) => chunksOf(data, [40_000, 70_000]));
    for (let i = 0; split.some((chunks) => i < chunks.length); i++) {
      for (const [k, chunks] of split.entries()) {
        const chunk = chunks[i];
        if (chunk) hashes[k]?.update(chunk);
      }
    }
    const digests = await Promise.all(hashes.map((hash) => hash.digest()));
    expect(digests.map((d) => d.toString('hex'))).toEqual(
      inputs.map((data) => createHash('sha1').update(data).digest('hex')),
    );
  });

  it('digests an empty input, and forgets a discarded hash without disturbing others', async () => {
    const empty = new OffThreadHash('md5');
    const dropped = new OffThreadHash('md5');
    dropped.update(randomBytes(5000));
    dropped.discard();
    const data = randomBytes(40 * 2 ** 20);
    const kept = new OffThreadHash('md5');
    // More than the thread may have queued: the caller waits for it rather than piling up.
    kept.update(data);
    expect((await empty.digest()).toString('hex')).toBe(createHash('md5').digest('hex'));
    expect((await kept.digest()).equals(createHash('md5').update(data).digest())).toBe(true);
  });
});
