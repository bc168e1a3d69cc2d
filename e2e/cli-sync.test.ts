// flickr-cli sync, download and share against a real server: folders as
// albums, pulls that transfer nothing the second time, --delete and
// --dry-run, downloads that never overwrite, and a share seen by another user.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlickrClient } from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesOf, signedInCli, summaryOf } from './cli/run-cli.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

type Signed = FlickrClient & { username: string };

describe('flickr-cli sync, download and share', () => {
  let server: RealServer;
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    dir = await mkdtemp(join(tmpdir(), 'cli-sync-'));
  });
  afterAll(async () => {
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const albumsOf = async (sdk: Signed) => {
    const photos = await sdk.photos.list(sdk.username).toArray();
    return photos.map((p) => [p.originalName, p.album?.name ?? null]).sort();
  };

  it('pushes folders as albums named by their path, so same-named folders never merge', async () => {
    const { cli, sdk } = await signedInCli(server);
    const archive = join(dir, 'archive');
    await mkdir(join(archive, '2023', 'summer'), { recursive: true });
    await mkdir(join(archive, '2024', 'summer'), { recursive: true });
    await writeFile(join(archive, 'root.jpg'), await photo(21));
    await writeFile(join(archive, '2023', 'summer', 'a.jpg'), await photo(22));
    await writeFile(join(archive, '2024', 'summer', 'b.jpg'), await photo(23));

    const dry = await cli.run([
      'sync',
      'push',
      archive,
      '--album-per-folder',
      '--dry-run',
      '--json',
    ]);
    expect(dry.code).toBe(0);
    expect(
      dry.events
        .filter((e) => e.type === 'plan')
        .map((e) => [String(e.path).split('/').at(-1), e.action, e.album]),
    ).toEqual([
      ['a.jpg', 'upload', '2023/summer'],
      ['b.jpg', 'upload', '2024/summer'],
      ['root.jpg', 'upload', null],
    ]);
    expect(await albumsOf(sdk)).toEqual([]);

    const pushed = await cli.run(['sync', 'push', archive, '--album-per-folder', '--json']);
    expect(pushed.code).toBe(0);
    expect(summaryOf(pushed).counts).toEqual({ uploaded: 3 });
    expect(await albumsOf(sdk)).toEqual([
      ['a.jpg', '2023/summer'],
      ['b.jpg', '2024/summer'],
      ['root.jpg', null],
    ]);

    // A photo moved to another folder moves to that folder's album; nothing is re-sent.
    await mkdir(join(archive, '2025'), { recursive: true });
    await writeFile(
      join(archive, '2025', 'a.jpg'),
      await readFile(join(archive, '2023', 'summer', 'a.jpg')),
    );
    await rm(join(archive, '2023'), { recursive: true });
    const moved = await cli.run(['sync', 'push', archive, '--album-per-folder', '--json']);
    expect(summaryOf(moved)).toMatchObject({ counts: { moved: 1 }, bytesTransferred: 0 });
    expect((await albumsOf(sdk))[0]).toEqual(['a.jpg', '2025']);

    // --delete only with the flag: a photo whose content left the folder goes.
    await rm(join(archive, 'root.jpg'));
    const kept = await cli.run(['sync', 'push', archive, '--album-per-folder', '--json']);
    expect(summaryOf(kept).counts).toEqual({});
    expect(await albumsOf(sdk)).toHaveLength(3);
    const planned = await cli.run([
      'sync',
      'push',
      archive,
      '--album-per-folder',
      '--delete',
      '--dry-run',
      '--json',
    ]);
    expect(planned.events.filter((e) => e.type === 'plan')).toEqual([
      expect.objectContaining({ action: 'delete', path: 'root.jpg' }),
    ]);
    expect(await albumsOf(sdk)).toHaveLength(3);
    const deleted = await cli.run([
      'sync',
      'push',
      archive,
      '--album-per-folder',
      '--delete',
      '--json',
    ]);
    expect(summaryOf(deleted).counts).toEqual({ deleted: 1 });
    expect(await albumsOf(sdk)).toHaveLength(2);
    await cli.destroy();
  });

  it('pulls into album folders; the second pull transfers nothing; --delete removes what left the server', async () => {
    const { cli, sdk } = await signedInCli(server);
    const source = join(dir, 'source');
    await mkdir(join(source, 'trip'), { recursive: true });
    for (const seed of [31, 32]) await writeFile(join(source, `p${seed}.jpg`), await photo(seed));
    await writeFile(join(source, 'trip', 'p33.jpg'), await photo(33));
    expect((await cli.run(['sync', 'push', source, '--album-per-folder'])).code).toBe(0);

    const mirror = join(dir, 'mirror');
    const first = await cli.run(['sync', 'pull', mirror, '--json']);
    expect(first.code).toBe(0);
    expect(summaryOf(first).counts).toEqual({ downloaded: 3 });
    expect((await readdir(mirror)).sort()).toEqual(['p31.jpg', 'p32.jpg', 'trip']);
    expect(await readFile(join(mirror, 'trip', 'p33.jpg'))).toEqual(
      await readFile(join(source, 'trip', 'p33.jpg')),
    );

    const second = await cli.run(['sync', 'pull', mirror, '--json']);
    expect(second.code).toBe(0);
    expect(summaryOf(second)).toMatchObject({ counts: {}, bytesTransferred: 0 });
    // The downloads went into the hash cache: the second pull read no file to hash it.
    expect(second.events.some((e) => e.type === 'phase' && e.phase === 'hashing')).toBe(false);

    const [gone] = await sdk.photos.list(sdk.username).toArray();
    await sdk.photos.delete(gone?.id as string);
    const dry = await cli.run(['sync', 'pull', mirror, '--delete', '--dry-run', '--json']);
    expect(dry.events.filter((e) => e.type === 'plan').map((e) => e.action)).toEqual(['delete']);
    expect((await readdir(mirror)).length).toBe(3);
    const pruned = await cli.run(['sync', 'pull', mirror, '--delete', '--json']);
    expect(summaryOf(pruned).counts).toEqual({ deleted: 1 });
    const left = [...(await readdir(mirror)), ...(await readdir(join(mirror, 'trip')))];
    expect(left).not.toContain(gone?.originalName);
    await cli.destroy();
  });

  it('downloads without overwriting a different file, with sidecars, and skips what is there', async () => {
    const { cli, sdk } = await signedInCli(server);
    const one = join(dir, 'one.jpg');
    await writeFile(one, await photo(41));
    await sdk.uploads.uploadFile(one, { title: 'One', tags: ['a', 'b'] });
    const out = join(dir, 'out');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'one.jpg'), 'my own file, not the photo');

    const first = await cli.run(['download', '--out', out, '--sidecars', '--json']);
    expect(first.code).toBe(0);
    expect(filesOf(first)).toEqual([
      expect.objectContaining({ status: 'downloaded', path: join(out, 'one (2).jpg') }),
    ]);
    expect(await readFile(join(out, 'one.jpg'), 'utf8')).toBe('my own file, not the photo');
    const sidecar = JSON.parse(await readFile(join(out, 'one (2).jpg.json'), 'utf8'));
    expect(sidecar).toMatchObject({
      title: 'One',
      tags: ['a', 'b'],
      album: null,
      visibility: 'private',
    });

    const again = await cli.run(['download', '--out', out, '--json']);
    expect(summaryOf(again)).toMatchObject({ counts: { skipped: 1 }, bytesTransferred: 0 });

    const thumbs = await cli.run([
      'download',
      '--out',
      out,
      '--resolution',
      'thumbnail',
      '--dry-run',
      '--json',
    ]);
    expect(summaryOf(thumbs).planned).toEqual({
      download: { count: 1, bytes: expect.any(Number) },
    });
    expect((await readdir(out)).some((name) => name.includes('thumbnail'))).toBe(false);
    await cli.destroy();
  });

  it('lists photos whole, or a page at a time with cursors forward and back', async () => {
    const { cli, sdk } = await signedInCli(server);
    for (const seed of [91, 92, 93]) {
      const path = join(dir, `list-${seed}.jpg`);
      await writeFile(path, await photo(seed));
      await sdk.uploads.uploadFile(path, { title: `photo ${seed}` });
    }
    const all = await cli.run(['photos', 'ls', '--json']);
    expect(all.events.map((p) => p.title)).toEqual(['photo 93', 'photo 92', 'photo 91']);
    const table = await cli.run(['photos', 'ls']);
    expect(table.stdout).toMatch(/^ID\s+TITLE\s+STATUS/);
    expect(table.stdout).toContain('photo 92');

    const first = (await cli.run(['photos', 'ls', '--limit', '2', '--json'])).events[0] as {
      items: { title: string }[];
      nextCursor: string;
    };
    expect(first.items.map((p) => p.title)).toEqual(['photo 93', 'photo 92']);
    const second = (
      await cli.run(['photos', 'ls', '--limit', '2', '--after', first.nextCursor, '--json'])
    ).events[0] as { items: { title: string }[]; prevCursor: string };
    expect(second.items.map((p) => p.title)).toEqual(['photo 91']);
    const back = (
      await cli.run(['photos', 'ls', '--limit', '2', '--before', second.prevCursor, '--json'])
    ).events[0] as { items: { title: string }[] };
    expect(back.items.map((p) => p.title)).toEqual(['photo 93', 'photo 92']);
    const human = await cli.run(['photos', 'ls', '--limit', '2']);
    expect(human.stdout).toContain(`next page:     --limit 2 --after ${first.nextCursor}`);
    expect((await cli.run(['photos', 'ls', '--limit', '500'])).code).toBe(2);
    await cli.destroy();
  });

  it('shares with another user, who sees the photos until the grant is revoked', async () => {
    const owner = await signedInCli(server);
    const viewer = await signedInCli(server);
    const file = join(dir, 'private.jpg');
    await writeFile(file, await photo(51));
    expect((await owner.cli.run(['upload', file, '--private'])).code).toBe(0);

    const before = await viewer.cli.run(['photos', 'ls', '--user', owner.sdk.username, '--json']);
    expect(before.events).toEqual([]);
    expect((await owner.cli.run(['share', 'grant', viewer.sdk.username])).code).toBe(0);
    const toMe = await viewer.cli.run(['share', 'ls', '--to-me', '--json']);
    expect(toMe.events.map((g) => (g.sharer as { username: string }).username)).toEqual([
      owner.sdk.username,
    ]);
    const during = await viewer.cli.run(['photos', 'ls', '--user', owner.sdk.username, '--json']);
    expect(during.events.map((p) => p.originalName)).toEqual(['private.jpg']);

    expect((await owner.cli.run(['share', 'revoke', viewer.sdk.username])).code).toBe(0);
    const after = await viewer.cli.run(['photos', 'ls', '--user', owner.sdk.username, '--json']);
    expect(after.events).toEqual([]);
    await owner.cli.destroy();
    await viewer.cli.destroy();
  });
});
