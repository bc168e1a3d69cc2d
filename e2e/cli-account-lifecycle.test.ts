// flickr-cli account export and account delete against a real server: the
// export (with `sync pull --sidecars` for the files) holds what the server
// shows; deleting asks on a terminal, refuses without one unless told, and
// forgets the profile it deleted the account of.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountExport } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, cliUser, signedInCli } from './cli/run-cli.ts';
import { haveTmux, killSession, quote, tmuxRun, typeLine, waitForScreen } from './cli/tmux.ts';
import { eventually, photo, type RealServer, startRealServer } from './real-server.ts';

const PASSWORD = 'a long passphrase';

describe('flickr-cli account', () => {
  let server: RealServer;
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    dir = await mkdtemp(join(tmpdir(), 'cli-account-'));
  });
  afterAll(async () => {
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports what the server shows, and `sync pull --sidecars` fetches the files it names', async () => {
    const { cli, sdk } = await signedInCli(server);
    const friend = await server.client();
    for (const [i, title] of ['Harbour', 'Dunes'].entries()) {
      const file = join(dir, `${title}.jpg`);
      await writeFile(file, await photo(300 + i));
      const { photo: uploaded } = await sdk.uploads.uploadFile(file, {
        title,
        tags: ['trip'],
        album: 'coast',
      });
      await eventually(
        async () => ((await sdk.photos.get(uploaded.id)).status === 'ready' ? true : undefined),
        `${title} to be ready`,
      );
    }
    const theirs = join(dir, 'theirs.jpg');
    await writeFile(theirs, await photo(310));
    const { photo: friendsPhoto } = await friend.uploads.uploadFile(theirs, {
      visibility: 'public',
    });
    await eventually(
      async () =>
        (await friend.photos.get(friendsPhoto.id)).status === 'ready' ? true : undefined,
      'the friend’s photo to be ready',
    );
    await sdk.comments.add(friendsPhoto.id, 'great light');
    await sdk.favorites.add(friendsPhoto.id);
    await sdk.follows.follow(friend.username);

    const out = join(dir, 'export.json');
    const exported = await cli.run(['account', 'export', '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.events).toEqual([
      { file: out, bytes: expect.any(Number), photos: 'flickr-cli sync pull <dir> --sidecars' },
    ]);
    const document = AccountExport.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(await readdir(dir)).not.toContain('export.json.partial');
    const shown = await sdk.photos.list(sdk.username).toArray();
    expect(
      document.photos.map(({ id, title, sha256, album }) => ({ id, title, sha256, album })),
    ).toEqual(shown.map(({ id, title, sha256, album }) => ({ id, title, sha256, album })));
    expect(document).toMatchObject({
      profile: { username: sdk.username },
      albums: [{ name: 'coast' }],
      comments: [{ photoId: friendsPhoto.id, text: 'great light' }],
      favorites: [{ photoId: friendsPhoto.id }],
      following: [{ user: { username: friend.username } }],
    });

    // stdout by default: the same document, one line of JSON, and the hint on stderr.
    const piped = await cli.run(['account', 'export']);
    expect(piped.code).toBe(0);
    expect(AccountExport.parse(JSON.parse(piped.stdout)).photos).toHaveLength(2);
    expect(piped.stderr).toContain('sync pull <dir> --sidecars');

    // The files: each exported photo's bytes, with a sidecar naming it.
    const photos = join(dir, 'photos');
    const pulled = await cli.run(['sync', 'pull', photos, '--sidecars', '--json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    const sidecars = (await readdir(photos, { recursive: true }))
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(join(photos, name), 'utf8')));
    const byId = new Map((await Promise.all(sidecars)).map((s) => [s.id as string, s]));
    for (const exportedPhoto of document.photos)
      expect(byId.get(exportedPhoto.id)).toMatchObject({
        sha256: exportedPhoto.sha256,
        title: exportedPhoto.title,
        album: exportedPhoto.album?.name,
      });
    await Promise.all([cli.destroy(), sdk.close(), friend.close()]);
  });

  it('refuses to delete without a terminal unless told, then deletes and forgets the profile', async () => {
    const cli = await cliUser();
    const sdk = await server.client();
    await cli.run(['login', '--server', server.url, '-u', sdk.username, '--password-stdin'], {
      stdin: PASSWORD,
    });

    const refused = await cli.run(['account', 'delete'], { stdin: PASSWORD });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      'flickr-cli: account delete cannot be undone: pass --yes (and --password-stdin) to run it without a terminal',
    ]);
    const wrong = await cli.run(['account', 'delete', '--yes', '--password-stdin'], {
      stdin: 'not the password',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe('flickr-cli: Wrong password: nothing was deleted\n');
    expect((await cli.run(['whoami'])).code).toBe(0);

    const deleted = await cli.run(['account', 'delete', '--yes', '--password-stdin', '--json'], {
      stdin: PASSWORD,
    });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.events).toEqual([
      {
        deleted: true,
        username: sdk.username,
        server: server.url,
        forgotProfile: 'default',
      },
    ]);
    expect((await cli.run(['profiles', '--json'])).events).toEqual([]);
    const login = await cli.run(
      ['login', '-s', server.url, '-u', sdk.username, '--password-stdin'],
      {
        stdin: PASSWORD,
      },
    );
    expect(login.code).toBe(3);
    await Promise.all([cli.destroy(), sdk.close()]);
  });

  describe.skipIf(!haveTmux)('on a terminal', () => {
    const sessions: string[] = [];
    afterAll(() => {
      for (const session of sessions) killSession(session);
    });

    it('deletes only once the username is typed back and the password given', async () => {
      const cli = await cliUser();
      const sdk = await server.client();
      await cli.run(['login', '--server', server.url, '-u', sdk.username, '--password-stdin'], {
        stdin: PASSWORD,
      });
      const run = () => {
        const session = tmuxRun(
          `${quote(process.execPath)} --conditions=source ${quote(CLI_MAIN)} account delete`,
          cli.env,
        );
        sessions.push(session);
        return session;
      };

      const mistyped = run();
      await waitForScreen(mistyped, new RegExp(`type the username \\(${sdk.username}\\)`));
      typeLine(mistyped, 'someone-else');
      const kept = await waitForScreen(mistyped, /EXIT=\d+/);
      expect(kept).toContain('is not');
      expect(kept).toContain('EXIT=1');
      expect((await sdk.auth.whoami()).user.username).toBe(sdk.username);

      const confirmed = run();
      await waitForScreen(confirmed, /type the username/);
      typeLine(confirmed, sdk.username);
      await waitForScreen(confirmed, /password:/);
      typeLine(confirmed, PASSWORD);
      const done = await waitForScreen(confirmed, /EXIT=\d+/);
      expect(done).toContain(`deleted the account ${sdk.username}`);
      expect(done).not.toContain(PASSWORD);
      expect(done).toContain('EXIT=0');
      await expect(sdk.auth.whoami()).rejects.toMatchObject({ status: 401 });
      await Promise.all([cli.destroy(), sdk.close()]);
    });
  });
});
