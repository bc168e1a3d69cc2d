import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../exit-codes.ts';
import { folderAlbum, walk } from './walk.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'walk-'));
  for (const path of [
    'a.jpg',
    'b.PNG',
    'notes.txt',
    'sub/c.jpeg',
    'sub/deeper/d.heic',
    '.hidden/e.jpg',
    'sub/.f.jpg',
    'drafts/g.jpg',
  ])
    await mkdir(join(dir, path, '..'), { recursive: true }).then(() =>
      writeFile(join(dir, path), path),
    );
  await symlink(join(dir, 'sub'), join(dir, 'loop'));
  await symlink(join(dir, 'a.jpg'), join(dir, 'link.jpg'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = async (paths: string[], options: Parameters<typeof walk>[1]) =>
  (await walk(paths, options)).map((file) => file.relativePath);

describe('walk', () => {
  it('takes the images of a folder, its sub-folders only with recursive, never hidden files', async () => {
    expect(await names([dir], { recursive: false })).toEqual(['a.jpg', 'b.PNG', 'link.jpg']);
    expect(await names([dir], { recursive: true })).toEqual([
      'a.jpg',
      'b.PNG',
      'drafts/g.jpg',
      'link.jpg',
      'sub/c.jpeg',
      'sub/deeper/d.heic',
    ]);
  });

  it('filters by --include and --exclude globs on the path under the folder', async () => {
    expect(
      await names([dir], { recursive: true, include: ['**/*.jpg'], exclude: ['drafts/**'] }),
    ).toEqual(['a.jpg', 'link.jpg']);
    expect(await names([dir], { recursive: true, include: ['**/*.txt'] })).toEqual(['notes.txt']);
  });

  it('takes a file named on the command line whatever it is, once', async () => {
    const files = await walk([join(dir, 'notes.txt'), join(dir, 'notes.txt'), dir], {
      recursive: false,
    });
    expect(files.map((f) => f.relativePath)).toEqual(['a.jpg', 'b.PNG', 'link.jpg', 'notes.txt']);
  });

  it('refuses a path that does not exist with a usage error', async () => {
    await expect(walk([join(dir, 'nope')], { recursive: true })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('folderAlbum', () => {
  it('is the folder path under the root, none at the root', async () => {
    const files = await walk([dir], { recursive: true });
    expect(files.map((f) => folderAlbum(f) ?? null)).toEqual([
      null,
      null,
      'drafts',
      null,
      'sub',
      'sub/deeper',
    ]);
  });
});
