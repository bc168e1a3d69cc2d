import type { FileDigest, Photo } from '@flickr-kit/sdk';
import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../files/walk.ts';
import { albumFolder, planPull } from './plan-pull.ts';

const local = (path: string): LocalFile => ({
  path,
  root: '/mirror',
  relativePath: path.slice('/mirror/'.length),
  size: 1,
  mtimeMs: 1,
  ino: 1,
});
const photo = (id: string, sha256: string, album: string | null): Photo =>
  ({ id, sha256, album: album ? { id: `a-${album}`, name: album } : null }) as Photo;

describe('planPull', () => {
  const files = [local('/mirror/renamed.jpg'), local('/mirror/extra.jpg')];
  const digests = new Map<string, FileDigest>([
    ['/mirror/renamed.jpg', { sha256: 'aa', bytes: 1 }],
    ['/mirror/extra.jpg', { sha256: 'xx', bytes: 1 }],
  ]);
  const remote = [
    photo('1', 'aa', 'Trip'),
    photo('2', 'bb', '2024/summer'),
    photo('3', 'cc', null),
  ];

  it('downloads what no local file holds, into album folders, whatever the local names', () => {
    const plan = planPull('/mirror', files, digests, remote, { delete: false });
    expect(plan.present).toBe(1);
    expect([...plan.download].map(([folder, photos]) => [folder, photos.map((p) => p.id)])).toEqual(
      [
        ['/mirror/2024/summer', ['2']],
        ['/mirror', ['3']],
      ],
    );
    expect(plan.delete).toEqual([]);
  });

  it('deletes local files only with --delete, only those whose content left the server', () => {
    const plan = planPull('/mirror', files, digests, remote, { delete: true });
    expect(plan.delete.map((f) => f.path)).toEqual(['/mirror/extra.jpg']);
  });

  it('takes a copy without GPS for the photo it is a copy of, and keeps it with --delete', () => {
    // A photo whose location the caller may not see: its download is the copy `xx`.
    const copied = [{ ...photo('4', 'dd', null), originalSha256: 'xx' }];
    const plan = planPull('/mirror', files, digests, copied, { delete: true });
    expect(plan.present).toBe(1);
    expect(plan.download.size).toBe(0);
    expect(plan.delete.map((f) => f.path)).toEqual(['/mirror/renamed.jpg']);
  });
});

describe('albumFolder', () => {
  it('nests on / and keeps every part inside the folder', () => {
    expect(albumFolder('2024/summer')).toEqual(['2024', 'summer']);
    expect(albumFolder('../../etc')).toEqual(['_', '_', 'etc']);
    expect(albumFolder('.hidden/ok')).toEqual(['_hidden', 'ok']);
    expect(albumFolder('a\\b:c')).toEqual(['a_b_c']);
    expect(albumFolder('//')).toEqual(['_']);
  });
});
