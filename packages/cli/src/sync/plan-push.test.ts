import type { FileDigest, Photo } from '@flickr-kit/sdk';
import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../files/walk.ts';
import { planPush } from './plan-push.ts';

const file = (relativePath: string): LocalFile => ({
  path: `/archive/${relativePath}`,
  root: '/archive',
  relativePath,
  size: 100,
  mtimeMs: 1,
  ino: 1,
});

const remote = (sha256: string, album: string | null, id = sha256): Photo =>
  ({ id, sha256, album: album ? { id: `album-${album}`, name: album } : null }) as Photo;

function digests(entries: [string, string][]): Map<string, FileDigest> {
  return new Map(
    entries.map(([relativePath, sha256]) => [`/archive/${relativePath}`, { sha256, bytes: 100 }]),
  );
}

describe('planPush', () => {
  const files = [
    file('2023/summer/a.jpg'),
    file('2024/summer/b.jpg'),
    file('root.jpg'),
    file('x/dup.jpg'),
  ];
  const hashes = digests([
    ['2023/summer/a.jpg', 'aa'],
    ['2024/summer/b.jpg', 'bb'],
    ['root.jpg', 'rr'],
    ['x/dup.jpg', 'aa'],
  ]);

  it('uploads what the server lacks, once per content, into folder albums that never merge', () => {
    const plan = planPush(files, hashes, [], { albumPerFolder: true, delete: false });
    expect(plan.upload.map(({ file, album }) => [file.relativePath, album])).toEqual([
      ['2023/summer/a.jpg', '2023/summer'],
      ['2024/summer/b.jpg', '2024/summer'],
      ['root.jpg', undefined],
    ]);
    expect(plan.duplicates.map((f) => f.relativePath)).toEqual(['x/dup.jpg']);
    expect(plan.move).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it('recognizes content on the server whatever its name, and moves it only with --album-per-folder', () => {
    const onServer = [remote('aa', null), remote('bb', '2024/summer'), remote('rr', 'Old')];
    const flat = planPush(files, hashes, onServer, { albumPerFolder: false, delete: false });
    expect(flat.upload).toEqual([]);
    expect(flat.move).toEqual([]);
    expect(flat.unchanged).toBe(3);

    const foldered = planPush(files, hashes, onServer, { albumPerFolder: true, delete: false });
    expect(foldered.move.map(({ photo, album }) => [photo.id, album])).toEqual([
      ['aa', '2023/summer'],
      ['rr', undefined],
    ]);
    expect(foldered.unchanged).toBe(1);
  });

  it('deletes on the server only with --delete, and only what no local file holds', () => {
    const onServer = [remote('aa', null), remote('gone', null)];
    expect(
      planPush(files, hashes, onServer, { albumPerFolder: false, delete: false }).delete,
    ).toEqual([]);
    expect(
      planPush(files, hashes, onServer, { albumPerFolder: false, delete: true }).delete.map(
        (p) => p.id,
      ),
    ).toEqual(['gone']);
  });

  it('leaves out files that could not be hashed: never deletes what it could not read', () => {
    const partial = digests([['root.jpg', 'rr']]);
    const plan = planPush(files, partial, [remote('rr', null)], {
      albumPerFolder: false,
      delete: true,
    });
    expect(plan.upload).toEqual([]);
    expect(plan.delete).toEqual([]);
  });
});
