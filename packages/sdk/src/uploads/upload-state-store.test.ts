import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileUploadStateStore } from './upload-state-store.ts';

const FINGERPRINT = 'a1'.repeat(20);

describe('FileUploadStateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sdk-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('remembers an upload URL across instances (processes), and forgets it on delete', async () => {
    const folder = join(dir, 'nested', 'uploads');
    await new FileUploadStateStore(folder).set(FINGERPRINT, 'http://h/v1/uploads/files/1');
    const again = new FileUploadStateStore(folder);
    expect(await again.get(FINGERPRINT)).toBe('http://h/v1/uploads/files/1');
    await again.set(FINGERPRINT, 'http://h/v1/uploads/files/2');
    expect(await again.get(FINGERPRINT)).toBe('http://h/v1/uploads/files/2');
    await again.delete(FINGERPRINT);
    expect(await again.get(FINGERPRINT)).toBeUndefined();
    await again.delete(FINGERPRINT);
    expect(await readdir(folder)).toEqual([]);
  });

  it('keeps the folder and its files private to the user, and leaves no temporary files', async () => {
    const store = new FileUploadStateStore(join(dir, 'uploads'));
    await store.set(FINGERPRINT, 'http://h/u/1');
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    const names = await readdir(store.dir);
    expect(names).toEqual([`${FINGERPRINT}.json`]);
    expect((await stat(join(store.dir, names[0] as string))).mode & 0o777).toBe(0o600);
  });

  it('reads a missing or damaged entry as no entry', async () => {
    const store = new FileUploadStateStore(dir);
    expect(await store.get(FINGERPRINT)).toBeUndefined();
    await writeFile(join(dir, `${FINGERPRINT}.json`), '{"uploadUrl":');
    expect(await store.get(FINGERPRINT)).toBeUndefined();
    await writeFile(join(dir, `${FINGERPRINT}.json`), '{"uploadUrl":42}');
    expect(await store.get(FINGERPRINT)).toBeUndefined();
  });

  it('refuses a fingerprint that could name a path outside its folder', async () => {
    const store = new FileUploadStateStore(dir);
    await expect(store.set('../../etc/passwd', 'x')).rejects.toBeInstanceOf(RangeError);
    await expect(store.delete('ABC')).rejects.toBeInstanceOf(RangeError);
  });
});
