// flickr-cli comments and favorites, against a real server: human output
// and --json, a comment from stdin, comments switched off, the account's
// default for new photos, and exit codes when something is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCli } from './cli/run-cli.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('flickr-cli comments and fav', () => {
  let server: RealServer;

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    await server.destroy();
  });

  // One conversation, told in steps (each step a few CLI runs, within a test's time).
  describe('one photo’s conversation', () => {
    type Signed = Awaited<ReturnType<typeof signedInCli>>;
    let owner: Signed;
    let reader: Signed;
    let id: string;
    let second: { id: string; text: string };

    beforeAll(async () => {
      owner = await signedInCli(server);
      reader = await signedInCli(server);
      const { photo: sent } = await owner.sdk.uploads.uploadFile(await photo(601), {
        visibility: 'public',
      });
      id = (await owner.sdk.photos.waitUntilReady(sent.id)).id;
    });
    afterAll(async () => {
      for (const user of [owner, reader]) {
        await user.cli.destroy();
        await user.sdk.close();
      }
    });

    it('adds comments, from an argument or stdin, and lists them either way', async () => {
      const added = await reader.cli.run(['comments', 'add', id, 'What a light!']);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(new RegExp(`^added comment [0-9a-f-]{36} to photo ${id}\\n$`));
      const piped = await reader.cli.run(['comments', 'add', id, '-', '--json'], {
        stdin: 'Where was this?\nThe water looks warm.\n',
      });
      expect(piped.code, piped.stderr).toBe(0);
      second = piped.events[0] as { id: string; text: string };
      expect(second.text).toBe('Where was this?\nThe water looks warm.');

      const listed = await owner.cli.run(['comments', 'ls', id]);
      expect(listed.code, listed.stderr).toBe(0);
      const lines = listed.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(
        new RegExp(`^${reader.sdk.username}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  `),
      );
      expect(lines.slice(1)).toEqual([
        '    What a light!',
        expect.stringMatching(new RegExp(`^${reader.sdk.username} .* ${second.id}$`)),
        '    Where was this?',
        '    The water looks warm.',
      ]);
      const newest = await owner.cli.run(['comments', 'ls', id, '--newest', '--json']);
      expect(newest.events.map((c) => c.text)).toEqual([second.text, 'What a light!']);
      const page = await owner.cli.run(['comments', 'ls', id, '--limit', '1']);
      expect(page.stdout).toMatch(/next page: {5}--limit 1 --after \S+/);
    });

    it('lets the author edit a comment and the owner delete it, not edit it', async () => {
      const edited = await reader.cli.run(['comments', 'edit', second.id, 'Where was this taken?']);
      expect(edited.code, edited.stderr).toBe(0);
      expect((await owner.cli.run(['comments', 'ls', id])).stdout).toMatch(/\(edited \d{4}-/);
      const refused = await owner.cli.run(['comments', 'edit', second.id, 'mine now']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Only its author can change a comment \(forbidden/);
      const removed = await owner.cli.run(['comments', 'rm', second.id, '--json']);
      expect(removed.events).toEqual([{ id: second.id, status: 'deleted' }]);
    });

    it('refuses new comments once the owner switches them off, and still lists the old', async () => {
      const off = await owner.cli.run(['photos', 'edit', id, '--no-comments']);
      expect(off.code, off.stderr).toBe(0);
      expect(off.stdout).toMatch(/comments\s+off/);
      const closed = await reader.cli.run(['comments', 'add', id, 'hello?']);
      expect(closed.code).toBe(1);
      expect(closed.stderr).toMatch(/turned comments off.*\(comments_disabled/);
      expect((await reader.cli.run(['comments', 'ls', id, '--json'])).events).toHaveLength(1);
    });
  });

  it('sets the account’s default for comments on new photos', async () => {
    const { cli, sdk } = await signedInCli(server);
    expect((await cli.run(['comments', 'default'])).stdout).toBe(
      'comments on the photos you upload from now on: on\n',
    );
    const set = await cli.run(['comments', 'default', 'off', '--json']);
    expect(set.events).toEqual([
      { commentsEnabledByDefault: false, locationVisibilityDefault: 'shared' },
    ]);
    const { photo: quiet } = await sdk.uploads.uploadFile(await photo(602));
    expect(quiet.commentsEnabled).toBe(false);
    expect((await cli.run(['comments', 'default', 'maybe'])).code).toBe(2);
    await cli.destroy();
    await sdk.close();
  });

  it('adds, lists and removes favorites', async () => {
    const owner = await signedInCli(server);
    const fan = await signedInCli(server);
    const ids: string[] = [];
    for (const seed of [603, 604]) {
      const { photo: sent } = await owner.sdk.uploads.uploadFile(await photo(seed), {
        visibility: 'public',
        title: `photo ${seed}`,
      });
      ids.push((await owner.sdk.photos.waitUntilReady(sent.id)).id);
    }
    const [first, second] = ids as [string, string];

    const added = await fan.cli.run(['fav', 'add', first, second]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe(
      `${first} is among your favorites (1 favorite in all)\n${second} is among your favorites (1 favorite in all)\n`,
    );
    const again = await fan.cli.run(['fav', 'add', first, '--json']);
    expect(again.events).toEqual([{ photoId: first, favorited: true, favoriteCount: 1 }]);

    const listed = await fan.cli.run(['fav', 'ls']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^PHOTO\s+FAVORITED\s+FAVORITES\s+TITLE$/);
    expect(listed.stdout).toMatch(new RegExp(`${second} .* photo 604\\n${first} .* photo 603`));
    const json = await fan.cli.run(['fav', 'ls', '--json']);
    expect(json.events.map((f) => (f.photo as { id: string }).id)).toEqual([second, first]);
    expect((await owner.cli.run(['photos', 'show', first])).stdout).toMatch(/favorites\s+1\n/);
    expect((await fan.cli.run(['photos', 'show', first])).stdout).toMatch(
      /favorites\s+1 \(yours among them\)/,
    );

    const removed = await fan.cli.run(['fav', 'rm', first]);
    expect(removed.stdout).toBe(`${first} is not among your favorites (0 favorites in all)\n`);
    // One photo it may not see fails alone, exit 1; the others are done.
    const hidden = await fan.cli.run(['fav', 'add', '01a20cdf-0c57-7000-b760-b1161089238c', first]);
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toMatch(/Photo not found/);
    expect((await fan.cli.run(['fav', 'ls', '--json'])).events).toHaveLength(2);

    for (const user of [owner, fan]) {
      await user.cli.destroy();
      await user.sdk.close();
    }
  });
});
