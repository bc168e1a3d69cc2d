import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from '../../../test/contracts/blob-store.contract.ts';
import { INCOMING, LocalBlobStore } from './local-blob-store.ts';

const folders: string[] = [];
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

describeBlobStoreContract('LocalBlobStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'local-blobs-'));
  folders.push(root);
  return {
    store: new LocalBlobStore(root),
    // A writer that died leaves its temporary file in `.incoming/`, whatever its key.
    abandonWrite: async () => {
      await mkdir(join(root, INCOMING), { recursive: true });
      await writeFile(join(root, INCOMING, randomUUID()), 'half a file');
    },
  };
});

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
