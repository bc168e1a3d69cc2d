import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../adapters/blob/local-blob-store.ts';
import type { BlobInfo, ByteRange } from '../../ports/blob-store.ts';
import { PublishedFiles } from './published-files.ts';

/** A local store that counts the calls that reach the disk. */
class CountingStore extends LocalBlobStore {
  stats = 0;
  reads = 0;
  override stat(key: string): Promise<BlobInfo | undefined> {
    this.stats++;
    return super.stat(key);
  }
  override read(key: string, range?: ByteRange): Promise<Readable> {
    this.reads++;
    return super.read(key, range);
  }
}

const KEY = 'user/default/thumbnail/photo.jpg';

describe('PublishedFiles', () => {
  let dir: string;
  let store: CountingStore;
  let now: number;
  let files: PublishedFiles;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'published-files-'));
    store = new CountingStore(dir);
    now = 0;
    files = new PublishedFiles(store, { ttlMs: 1000, maxFileBytes: 100, now: () => now });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('asks the store for a file’s size once per second, however many requests want it', async () => {
    await store.put(KEY, Buffer.from('thumbnail'));
    const infos = await Promise.all([files.stat(KEY), files.stat(KEY), files.stat(KEY)]);
    expect(infos.map((info) => info?.bytes)).toEqual([9, 9, 9]);
    now = 999;
    await files.stat(KEY);
    expect(store.stats).toBe(1);
    now = 1000;
    await files.stat(KEY);
    expect(store.stats).toBe(2);
  });

  it('keeps a small file’s bytes while it is unchanged and reads it again once it is replaced', async () => {
    await store.put(KEY, Buffer.from('first'));
    const first = (await files.stat(KEY)) as BlobInfo;
    expect(await files.read(KEY, first)).toEqual(Buffer.from('first'));
    expect(await files.read(KEY, first)).toEqual(Buffer.from('first'));
    expect(store.reads).toBe(1);

    await store.put(KEY, Buffer.from('the second'));
    expect(await files.stat(KEY)).toEqual(first);
    now = 1000;
    const second = (await files.stat(KEY)) as BlobInfo;
    expect(second.bytes).toBe(10);
    expect(await files.read(KEY, second)).toEqual(Buffer.from('the second'));
    expect(store.reads).toBe(2);
  });

  it('streams files larger than the size it keeps in memory', async () => {
    await store.put(KEY, Buffer.alloc(101, 1));
    const info = (await files.stat(KEY)) as BlobInfo;
    const body = await files.read(KEY, info);
    expect(Buffer.isBuffer(body)).toBe(false);
    expect((await buffer(body as Readable)).length).toBe(101);
  });

  it('answers undefined for a file removed since it was looked up', async () => {
    await store.put(KEY, Buffer.from('gone soon'));
    const info = (await files.stat(KEY)) as BlobInfo;
    await store.delete(KEY);
    expect(await files.read(KEY, info)).toBeUndefined();
    expect(await files.stat(KEY)).toBeUndefined();
  });

  it('drops the least recently served bytes beyond its memory budget', async () => {
    files = new PublishedFiles(store, { maxFileBytes: 100, maxBytes: 150, now: () => now });
    const keys = ['a', 'b', 'c'].map((name) => `user/default/thumbnail/${name}.jpg`);
    for (const key of keys) await store.put(key, Buffer.alloc(60));
    const serve = async (key: string) => files.read(key, (await files.stat(key)) as BlobInfo);
    await serve(keys[0] as string);
    await serve(keys[1] as string);
    await serve(keys[0] as string);
    await serve(keys[2] as string);
    expect(store.reads).toBe(3);
    await serve(keys[0] as string);
    expect(store.reads).toBe(3);
    await serve(keys[1] as string);
    expect(store.reads).toBe(4);
  });

  it('peeks a kept file synchronously, and past a second answers while it checks the file again', async () => {
    await store.put(KEY, Buffer.from('first'));
    expect(files.peek(KEY)).toBeUndefined();
    const info = (await files.stat(KEY)) as BlobInfo;
    expect(files.peek(KEY)).toBeUndefined(); // its size is known, its bytes not yet
    await files.read(KEY, info);
    expect(files.peek(KEY)?.data).toEqual(Buffer.from('first'));
    expect(store.stats).toBe(1);

    await store.put(KEY, Buffer.from('the second'));
    now = 1000;
    // Stale: still answered, while one new stat runs.
    expect(files.peek(KEY)?.data).toEqual(Buffer.from('first'));
    expect(files.peek(KEY)?.data).toEqual(Buffer.from('first'));
    await files.stat(KEY);
    expect(store.stats).toBe(2);
    // The stat saw the new file: the old bytes are not answered any more.
    expect(files.peek(KEY)).toBeUndefined();
  });
});
