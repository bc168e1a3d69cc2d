import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidBlobKeyError } from '../../ports/blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';

describe('LocalBlobStore', () => {
  let dir: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blobs-'));
    store = new LocalBlobStore(join(dir, 'blobs'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes, reads ranges, stats and deletes blobs by key', async () => {
    await store.put('u1/default/original/p1.jpg', Buffer.from('0123456789'));
    expect(await store.stat('u1/default/original/p1.jpg')).toMatchObject({
      bytes: 10,
      etag: expect.any(String),
    });
    expect(
      (
        await buffer(await store.read('u1/default/original/p1.jpg', { start: 2, end: 4 }))
      ).toString(),
    ).toBe('234');
    await store.delete('u1/default/original/p1.jpg');
    expect(await store.stat('u1/default/original/p1.jpg')).toBeUndefined();
  });

  it.each(['../etc/passwd', 'u1/../../x', '/abs/path', 'u1//x', '.hidden/x', 'u1/a\\b', ''])(
    'refuses the key %j',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
    },
  );

  it('publishes to another store by hard link, replacing nothing partially', async () => {
    const cdn = new LocalBlobStore(join(dir, 'cdn'));
    const source = join(dir, 'source.bin');
    await writeFile(source, 'original bytes');
    await store.putFile('u1/a1/original/p1.jpg', source);
    await store.copyTo('u1/a1/original/p1.jpg', cdn);
    expect(await readFile(join(dir, 'cdn/u1/a1/original/p1.jpg'), 'utf8')).toBe('original bytes');
    expect(await readdir(join(dir, 'cdn/.incoming'))).toEqual([]);
  });

  it('sweeps temporary files left by writers that died', async () => {
    await store.put('u1/x/original/p.jpg', Buffer.from('x'));
    await writeFile(join(dir, 'blobs/.incoming/stale'), 'half a file');
    expect(await store.sweepIncoming(-1)).toBe(1);
    expect(await readdir(join(dir, 'blobs/.incoming'))).toEqual([]);
  });
});
