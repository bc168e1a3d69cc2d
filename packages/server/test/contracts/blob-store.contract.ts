// The BlobStore port's promises as tests: every adapter runs this suite, so
// the embedded store and the scaled ones behave alike for the code above
// them (the saga, the CDN tier, the purge job).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/adapters/blob/local-blob-store.ts';
import {
  BlobNotFoundError,
  type BlobStore,
  InvalidBlobKeyError,
} from '../../src/ports/blob-store.ts';
import { FaultyBlobStore } from '../faulty-blob-store.ts';
import { peakHeldBytes } from './held-memory.ts';

/** One store for the suite, with the means to fake what only a crash leaves behind. */
export interface BlobStoreUnderTest {
  store: BlobStore;
  /**
   * Leaves what a writer of `key` that died mid-write leaves: a partial
   * file, an abandoned multipart upload.
   */
  abandonWrite(key: string): Promise<void>;
}

const MiB = 2 ** 20;
const HOUR = 3_600_000;

/** Keys outside the layout, each refused by every method. */
const INVALID_KEYS = [
  '',
  '../etc/passwd',
  'u1/../../x',
  'u1/./x',
  '/abs/path',
  'u1//x',
  'u1/x/',
  '.hidden/x',
  'u1/.incoming/x',
  'u1/a\\b',
  'u1/a b',
  'u1/%2e%2e/x',
  `u1/${'a'.repeat(129)}`,
];

/** A fresh key in the layout's shape: `<user>/<album>/<resolution>/<file>`. */
const newKey = (resolution = 'original', extension = 'jpg') =>
  `${randomUUID()}/default/${resolution}/${randomUUID()}.${extension}`;

/** `length` bytes that tell their offsets apart, so a misplaced range shows. */
const pattern = (length: number, seed = 0) =>
  Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) % 251));

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  return buffer(stream);
}

const fills = new Map<string, Buffer>();

/** Whether every byte of `data` is `data[0]`, and there are `length` of them (by memcmp: reads are MiBs). */
function isWhole(data: Buffer, length: number): boolean {
  if (data.length !== length) return false;
  const id = `${data[0]}:${length}`;
  let fill = fills.get(id);
  if (!fill) {
    fill = Buffer.alloc(length, data[0] ?? 0);
    fills.set(id, fill);
  }
  return data.equals(fill);
}

/**
 * Runs the BlobStore contract against the stores `makeStore` creates. Each
 * call must give a new, empty store independent of the others (as the CDN
 * tier's store is of the private one).
 */
export function describeBlobStoreContract(
  name: string,
  makeStore: () => Promise<BlobStoreUnderTest>,
): void {
  describe(`${name}: the BlobStore contract`, () => {
    let scratch: string;
    let subject: BlobStoreUnderTest;
    let store: BlobStore;

    /** A file of `data` on local disk, for putFile. */
    const fileOf = async (data: Uint8Array) => {
      const path = join(scratch, randomUUID());
      await writeFile(path, data);
      return path;
    };

    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'blob-contract-'));
    });
    afterAll(() => rm(scratch, { recursive: true, force: true }));
    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });

    describe('writing and reading', () => {
      it('answers a write with what stat answers after it: the size and a validator', async () => {
        const key = newKey();
        const written = await store.put(key, pattern(1000));
        expect(written.bytes).toBe(1000);
        expect(await store.stat(key)).toEqual(written);
      });

      it('reads the whole blob back', async () => {
        const key = newKey();
        await store.put(key, pattern(1000));
        expect(await readAll(await store.read(key))).toEqual(pattern(1000));
      });

      it('reads byte ranges with an inclusive end, clipping an end past the last byte', async () => {
        const key = newKey();
        const data = pattern(1000);
        await store.put(key, data);
        const range = async (start: number, end: number) =>
          readAll(await store.read(key, { start, end }));
        expect(await range(0, 0)).toEqual(data.subarray(0, 1));
        expect(await range(2, 4)).toEqual(data.subarray(2, 5));
        expect(await range(990, 999)).toEqual(data.subarray(990));
        expect(await range(999, 999)).toEqual(data.subarray(999));
        expect(await range(995, 5000)).toEqual(data.subarray(995));
      });

      it.each([
        ['ends before it starts', { start: 5, end: 4 }],
        ['starts below zero', { start: -1, end: 4 }],
        ['is not whole numbers', { start: 0.5, end: 4 }],
        ['starts past the last byte', { start: 1000, end: 1001 }],
      ])('refuses a range that %s with a RangeError', async (_, range) => {
        const key = newKey();
        await store.put(key, pattern(1000));
        await expect(store.read(key, range)).rejects.toBeInstanceOf(RangeError);
      });

      it('writes an empty blob', async () => {
        const key = newKey();
        expect((await store.put(key, new Uint8Array())).bytes).toBe(0);
        expect(await readAll(await store.read(key))).toEqual(Buffer.alloc(0));
      });

      it('writes a blob from a local file', async () => {
        const key = newKey();
        const written = await store.putFile(key, await fileOf(pattern(70_000)));
        expect(written.bytes).toBe(70_000);
        expect(await store.stat(key)).toEqual(written);
        expect(await readAll(await store.read(key))).toEqual(pattern(70_000));
      });

      it('replaces the blob under a key, and its etag changes with its bytes', async () => {
        const key = newKey();
        // Same size every time, written back to back: a validator made of the
        // size and a coarse clock would not change.
        const etags: (string | undefined)[] = [];
        for (let i = 0; i < 8; i++) {
          await store.put(key, Buffer.alloc(4096, i % 2 === 0 ? 'a' : 'b'));
          const info = await store.stat(key);
          expect(info?.bytes).toBe(4096);
          expect(info?.etag).toEqual(expect.any(String));
          etags.push(info?.etag);
        }
        for (let i = 1; i < etags.length; i++) expect(etags[i]).not.toBe(etags[i - 1]);
        expect(await readAll(await store.read(key))).toEqual(Buffer.alloc(4096, 'b'));
      });

      it('keeps the blob it had when a write fails', async () => {
        const key = newKey();
        await store.put(key, pattern(100));
        await expect(store.putFile(key, join(scratch, 'no-such-file'))).rejects.toThrow();
        expect(await readAll(await store.read(key))).toEqual(pattern(100));
      });
    });

    describe('keys without a blob', () => {
      it('answers stat with undefined, for a key never written and for a folder of blobs', async () => {
        const key = newKey();
        await store.put(key, pattern(10));
        expect(await store.stat(newKey())).toBeUndefined();
        expect(await store.stat(key.split('/').slice(0, 2).join('/'))).toBeUndefined();
      });

      it('refuses to read, hand out or copy them with BlobNotFoundError', async () => {
        const key = newKey();
        await store.put(key, pattern(10));
        const folder = key.split('/').slice(0, 3).join('/');
        const target = (await makeStore()).store;
        for (const missing of [newKey(), folder]) {
          await expect(store.read(missing)).rejects.toBeInstanceOf(BlobNotFoundError);
          await expect(store.read(missing, { start: 0, end: 1 })).rejects.toBeInstanceOf(
            BlobNotFoundError,
          );
          await expect(store.localFile(missing)).rejects.toBeInstanceOf(BlobNotFoundError);
          await expect(store.copyTo(missing, target)).rejects.toBeInstanceOf(BlobNotFoundError);
        }
      });

      it('deletes a blob, and deleting it again or a key never written is no error', async () => {
        const key = newKey();
        const other = newKey();
        await store.put(key, pattern(10));
        await store.put(other, pattern(20));
        await store.delete(key);
        expect(await store.stat(key)).toBeUndefined();
        await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
        await store.delete(key);
        await store.delete(newKey());
        expect(await store.stat(other)).toMatchObject({ bytes: 20 });
      });
    });

    describe('keys outside the layout', () => {
      it.each(INVALID_KEYS)('refuses %j in every method with InvalidBlobKeyError', async (key) => {
        const target = (await makeStore()).store;
        const file = await fileOf(pattern(10));
        const calls: [string, () => Promise<unknown>][] = [
          ['put', () => store.put(key, pattern(10))],
          ['putFile', () => store.putFile(key, file)],
          ['stat', () => store.stat(key)],
          ['read', () => store.read(key)],
          ['localFile', () => store.localFile(key)],
          ['copyTo', () => store.copyTo(key, target)],
          ['delete', () => store.delete(key)],
        ];
        for (const [method, call] of calls) {
          await expect(call(), method).rejects.toBeInstanceOf(InvalidBlobKeyError);
        }
      });
    });

    describe('atomic writes', () => {
      // Big enough that a write takes a while (and goes up in parts where a store has them).
      const SIZE = 6 * MiB;

      it('never shows a reader half a blob while it is being replaced', async () => {
        const key = newKey();
        const files = await Promise.all([1, 2, 3, 4, 5].map((n) => fileOf(Buffer.alloc(SIZE, n))));
        await store.put(key, Buffer.alloc(SIZE, 0));
        let writing = true;
        let reads = 0;
        let last = 0;
        const reader = async () => {
          while (writing) {
            const data = await readAll(await store.read(key));
            reads++;
            expect(isWhole(data, SIZE), `a read of ${data.length} bytes mixed versions`).toBe(true);
            // Leave the writer its share of a small machine (and of a one-threaded test server).
            await sleep(5);
          }
        };
        // Every version once, then on until the readers have read a dozen times mid-write.
        const writer = async () => {
          try {
            for (let i = 0; (i < files.length || reads < 12) && i < 500; i++) {
              await store.putFile(key, files[i % files.length] as string);
              last = (i % files.length) + 1;
            }
          } finally {
            writing = false;
          }
        };
        await Promise.all([writer(), reader(), reader(), reader()]);
        expect(reads).toBeGreaterThanOrEqual(12);
        const final = await readAll(await store.read(key));
        expect(isWhole(final, SIZE) && final[0] === last).toBe(true);
      });

      it('leaves one whole blob when writers race on one key, and nothing behind', async () => {
        const key = newKey();
        const files = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((n) => fileOf(Buffer.alloc(SIZE, n))),
        );
        const results = await Promise.all(files.map((file) => store.putFile(key, file)));
        for (const result of results) expect(result.bytes).toBe(SIZE);
        const data = await readAll(await store.read(key));
        expect(isWhole(data, SIZE)).toBe(true);
        expect([1, 2, 3, 4, 5, 6]).toContain(data[0]);
        expect(await store.stat(key)).toMatchObject({ bytes: SIZE });
        expect(await store.sweepIncoming(-1)).toBe(0);
      });
    });

    describe('localFile', () => {
      it('hands out a local file with the blob bytes; release keeps the blob', async () => {
        const key = newKey();
        await store.put(key, pattern(5000));
        const file = await store.localFile(key);
        expect(await readFile(file.path)).toEqual(pattern(5000));
        await file.release();
        // A temporary copy is gone; a path to the blob itself still holds it.
        const left = await readFile(file.path).catch(() => undefined);
        if (left) expect(left).toEqual(pattern(5000));
        expect(await readAll(await store.read(key))).toEqual(pattern(5000));
      });

      it('hands out files that outlive a later replacement of the blob', async () => {
        const key = newKey();
        await store.put(key, Buffer.alloc(1000, 'a'));
        const file = await store.localFile(key);
        try {
          await store.put(key, Buffer.alloc(1000, 'b'));
          expect(await readFile(file.path)).toEqual(Buffer.alloc(1000, 'a'));
        } finally {
          await file.release();
        }
      });
    });

    describe('copyTo', () => {
      it('copies to another store under the same key, replacing what it had there', async () => {
        const key = newKey();
        const target = (await makeStore()).store;
        await target.put(key, Buffer.from('stale'));
        await store.put(key, pattern(3000));
        const copied = await store.copyTo(key, target);
        expect(copied.bytes).toBe(3000);
        expect(await target.stat(key)).toEqual(copied);
        expect(await readAll(await target.read(key))).toEqual(pattern(3000));
        expect(await readAll(await store.read(key))).toEqual(pattern(3000));
      });

      it('copies again after the blob changed: new bytes and a new etag in the target', async () => {
        const key = newKey();
        const target = (await makeStore()).store;
        await store.put(key, Buffer.alloc(2000, 'a'));
        const first = await store.copyTo(key, target);
        await store.put(key, Buffer.alloc(2000, 'b'));
        const second = await store.copyTo(key, target);
        expect(second.etag).not.toBe(first.etag);
        expect(await readAll(await target.read(key))).toEqual(Buffer.alloc(2000, 'b'));
      });

      it('copies to a store of another kind, whose internals it cannot use', async () => {
        const key = newKey();
        const folder = await mkdtemp(join(scratch, 'other-'));
        // A delegating store is of no adapter's class: the copy must go through the port.
        const target = new FaultyBlobStore(new LocalBlobStore(folder));
        await store.put(key, pattern(9000));
        const copied = await store.copyTo(key, target);
        expect(copied.bytes).toBe(9000);
        expect(await readAll(await target.read(key))).toEqual(pattern(9000));
      });
    });

    describe('sweepIncoming', () => {
      it('removes what a writer that died left, once older than the age, and nothing else', async () => {
        const kept = newKey();
        await store.put(kept, pattern(100));
        const abandoned = newKey();
        await subject.abandonWrite(abandoned);
        await subject.abandonWrite(kept);
        expect(await store.sweepIncoming(HOUR)).toBe(0);
        await sleep(50);
        expect(await store.sweepIncoming(20)).toBe(2);
        expect(await store.sweepIncoming(20)).toBe(0);
        expect(await store.stat(abandoned)).toBeUndefined();
        expect(await readAll(await store.read(kept))).toEqual(pattern(100));
      });
    });

    describe('large blobs', () => {
      const SIZE = 64 * MiB;
      let big: string;
      let digest: string;
      beforeAll(async () => {
        // Written a MiB at a time: the suite itself never holds the file either.
        big = join(scratch, 'big.bin');
        const hash = createHash('sha256');
        const handle = await open(big, 'w');
        for (let i = 0; i < SIZE / MiB; i++) {
          const chunk = Buffer.alloc(MiB, i);
          chunk.write(`chunk ${i}`);
          hash.update(chunk);
          await handle.write(chunk);
        }
        await handle.close();
        digest = hash.digest('hex');
      });

      it('streams a 64 MiB file in and out without holding it in memory', async () => {
        const key = newKey();
        const held = { write: 0, read: 0 };
        held.write = await peakHeldBytes(async () => {
          expect((await store.putFile(key, big)).bytes).toBe(SIZE);
        });
        let largestChunk = 0;
        held.read = await peakHeldBytes(async () => {
          const hash = createHash('sha256');
          for await (const chunk of await store.read(key)) {
            largestChunk = Math.max(largestChunk, (chunk as Buffer).length);
            hash.update(chunk as Buffer);
          }
          expect(hash.digest('hex')).toBe(digest);
        });
        expect(largestChunk).toBeLessThanOrEqual(MiB);
        // Streaming holds a few parts or chunks at most (and the count is rough: freed
        // Buffers leave it a little after each collection); the whole file is 64 MiB.
        expect(held.write, `held ${held.write} bytes writing`).toBeLessThan(SIZE / 2);
        expect(held.read, `held ${held.read} bytes reading`).toBeLessThan(SIZE / 2);
        // Across the boundary of two MiB chunks (and of two parts, where a store has them).
        const middle = await readAll(
          await store.read(key, { start: 40 * MiB - 3, end: 40 * MiB + 2 }),
        );
        expect(middle).toEqual(Buffer.concat([Buffer.alloc(3, 39), Buffer.from('chu')]));
        const local = await store.localFile(key);
        try {
          expect(await sha256Of(local.path)).toBe(digest);
        } finally {
          await local.release();
        }
      });
    });
  });
}
