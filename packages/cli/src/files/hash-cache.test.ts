import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashCache } from './hash-cache.ts';
import { hashAll } from './hashing.ts';
import { type LocalFile, walk } from './walk.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hash-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function one(path: string): Promise<LocalFile> {
  const [file] = await walk([path], { recursive: false });
  return file as LocalFile;
}

describe('HashCache', () => {
  it('answers for a file only while its size, mtime and inode are unchanged', async () => {
    const path = join(dir, 'a.jpg');
    await writeFile(path, 'first');
    const cache = await HashCache.open(join(dir, 'cache.json'));
    const file = await one(path);
    cache.remember(file, { sha256: 'aa', bytes: 5 });
    expect(cache.lookup(file)).toEqual({ sha256: 'aa', bytes: 5 });
    expect(cache.lookup({ ...file, size: 6 })).toBeUndefined();
    expect(cache.lookup({ ...file, mtimeMs: file.mtimeMs + 1 })).toBeUndefined();
    expect(cache.lookup({ ...file, ino: file.ino + 1 })).toBeUndefined();
  });

  it('survives a restart, merges with what another run saved, and is private to its owner', async () => {
    const cacheFile = join(dir, 'nested', 'cache.json');
    await writeFile(join(dir, 'a.jpg'), 'a');
    await writeFile(join(dir, 'b.jpg'), 'b');
    const a = await one(join(dir, 'a.jpg'));
    const b = await one(join(dir, 'b.jpg'));
    const first = await HashCache.open(cacheFile);
    const second = await HashCache.open(cacheFile);
    first.remember(a, { sha256: 'aa', bytes: 1 });
    second.remember(b, { sha256: 'bb', bytes: 1 });
    await first.save();
    await second.save();
    const reopened = await HashCache.open(cacheFile);
    expect(reopened.lookup(a)?.sha256).toBe('aa');
    expect(reopened.lookup(b)?.sha256).toBe('bb');
    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
  });

  it('treats a damaged cache file as empty: it only costs hashing again', async () => {
    const cacheFile = join(dir, 'cache.json');
    await writeFile(cacheFile, '{"version":1,"entries":{"/x":[1,2');
    expect((await HashCache.open(cacheFile)).size).toBe(0);
    await writeFile(cacheFile, JSON.stringify({ version: 1, entries: { '/x': 'nonsense' } }));
    expect((await HashCache.open(cacheFile)).size).toBe(0);
  });
});

describe('hashAll', () => {
  it('reads no file whose cache entry still holds: a rerun over an unchanged tree hashes nothing', async () => {
    const path = join(dir, 'photo.jpg');
    await writeFile(path, 'original bytes');
    const when = new Date('2024-06-01T12:00:00Z');
    await utimes(path, when, when);
    const cache = await HashCache.open(join(dir, 'cache.json'));
    const first = await hashAll([await one(path)], { cache });
    const digest = first.get(path);
    expect(digest?.bytes).toBe(14);

    // Same size and the same mtime put back: a cache that read the file would see the new bytes.
    await writeFile(path, 'replaced bytes');
    await utimes(path, when, when);
    const started: string[] = [];
    const second = await hashAll([await one(path)], {
      cache: await HashCache.open(join(dir, 'cache.json')),
      started: (file) => started.push(file.path),
    });
    expect(second.get(path)).toEqual(digest);
    expect(started).toEqual([]);

    // A changed mtime is noticed, and the file is read again.
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const third = await hashAll([await one(path)], {
      cache: await HashCache.open(join(dir, 'cache.json')),
    });
    expect(third.get(path)?.sha256).not.toBe(digest?.sha256);
  });

  it('reports a file it cannot read and goes on with the others', async () => {
    await writeFile(join(dir, 'ok.jpg'), 'fine');
    await writeFile(join(dir, 'gone.jpg'), 'soon gone');
    const files = await walk([dir], { recursive: false });
    await rm(join(dir, 'gone.jpg'));
    const failed: string[] = [];
    const digests = await hashAll(files, {
      cache: await HashCache.open(join(dir, 'cache.json')),
      failed: (file, error) => failed.push(`${file.relativePath}: ${error.message}`),
    });
    expect([...digests.keys()]).toEqual([join(dir, 'ok.jpg')]);
    expect(failed).toEqual([expect.stringMatching(/^gone\.jpg: .*vanished/)]);
    expect(JSON.parse(await readFile(join(dir, 'cache.json'), 'utf8')).entries).toHaveProperty([
      join(dir, 'ok.jpg'),
    ]);
  });
});
