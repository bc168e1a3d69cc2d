import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from './hash-file.ts';

describe('hashFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hash-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('streams a file through SHA-256 and counts its bytes', async () => {
    // Larger than one read chunk, and not a multiple of it.
    const content = Buffer.alloc(3 * (1 << 20) + 12_345, 'flickr');
    const path = join(dir, 'large.bin');
    await writeFile(path, content);
    expect(await hashFile(path)).toEqual({
      sha256: createHash('sha256').update(content).digest('hex'),
      bytes: content.length,
    });
  });

  it('hashes an empty file', async () => {
    const path = join(dir, 'empty.bin');
    await writeFile(path, '');
    expect(await hashFile(path)).toEqual({
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      bytes: 0,
    });
  });

  it('hashes a stream, the same as the file it came from', async () => {
    const chunks = [Buffer.from('one '), Buffer.from('two '), Buffer.from('three')];
    const path = join(dir, 'chunks.bin');
    await writeFile(path, Buffer.concat(chunks));
    expect(await hashFile(Readable.from(chunks))).toEqual(await hashFile(path));
  });

  it('rejects a missing file with the file system error', async () => {
    await expect(hashFile(join(dir, 'missing.jpg'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      hashFile(Readable.from([Buffer.from('x')]), { signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });
});
