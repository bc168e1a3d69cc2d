// flickr-cli's people commands: follow and unfollow, the follow lists,
// profile visibility, notifications listed, followed live (NDJSON) and read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, signedInCli } from './cli/run-cli.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('flickr-cli follows and notifications', () => {
  let server: RealServer;
  let ada: Awaited<ReturnType<typeof signedInCli>>;
  let bo: Awaited<ReturnType<typeof signedInCli>>;
  const users: CliUser[] = [];

  beforeAll(async () => {
    server = await startRealServer({ FLICKR_NOTIFICATION_POLL_MS: '100' });
    ada = await signedInCli(server);
    bo = await signedInCli(server);
    users.push(ada.cli, bo.cli);
  });
  afterAll(async () => {
    for (const user of users) await user.destroy();
    await ada.sdk.close();
    await bo.sdk.close();
    await server.destroy();
  });

  it('follows, lists both sides, and unfollows', async () => {
    const followed = await bo.cli.run(['follow', ada.sdk.username]);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain(`you follow ${ada.sdk.username}`);
    const followers = await ada.cli.run(['followers', '--json']);
    expect(followers.events.map((e) => (e.user as { username: string }).username)).toEqual([
      bo.sdk.username,
    ]);
    const following = await ada.cli.run(['following', bo.sdk.username]);
    expect(following.stdout).toContain(ada.sdk.username);
    expect((await bo.cli.run(['unfollow', ada.sdk.username])).code).toBe(0);
    expect((await ada.cli.run(['followers', '--json'])).events).toEqual([]);
  });

  it('answers bad input with one line and a non-zero exit', async () => {
    const unknown = await bo.cli.run(['follow', 'nobody-here']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^flickr-cli: .*not found/i);
    const bad = await bo.cli.run(['visibility', 'friends']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('flickr-cli: visibility must be public or private, got friends');
    const neither = await bo.cli.run(['notifications', 'read']);
    expect(neither.code).toBe(2);
    expect(neither.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('sets the profile visibility', async () => {
    expect((await ada.cli.run(['visibility'])).stdout).toContain('your profile is public');
    const made = await ada.cli.run(['visibility', 'private', '--json']);
    expect(made.events[0]).toMatchObject({ visibility: 'private' });
    expect((await ada.cli.run(['visibility', 'public'])).code).toBe(0);
  });

  it('follows notifications live as NDJSON, then lists and marks them read', async () => {
    await bo.cli.run(['follow', ada.sdk.username]);
    const carol = await server.client();
    await carol.shares.grant(bo.sdk.username);
    const live = bo.cli.spawn(['notifications', '--follow', '--json']);
    // Once it has listed what exists, the stream resumes after the newest of it: nothing is lost.
    await live.waitForLine((line) => line.includes(carol.username));
    await carol.close();
    await ada.sdk.shares.grant(bo.sdk.username);
    const granted = await live.waitForLine((line) => line.includes('share_granted'));
    expect(JSON.parse(granted)).toMatchObject({
      kind: 'share_granted',
      actor: { username: ada.sdk.username },
    });
    await ada.sdk.uploads.uploadFile(await photo(77), { visibility: 'public' });
    const posted = await live.waitForLine((line) => line.includes('new_photo'));
    expect(JSON.parse(posted)).toMatchObject({ kind: 'new_photo' });
    live.child.kill('SIGINT');
    const stopped = await live.done;
    expect(stopped.code).toBe(0);
    for (const event of stopped.events) expect(event.id).toEqual(expect.any(String));

    const unread = await bo.cli.run(['notifications', '--unread']);
    expect(unread.stdout).toContain(`${ada.sdk.username} shared their photos with you`);
    expect(unread.stdout).toContain(`${ada.sdk.username} posted a new photo`);
    const read = await bo.cli.run(['notifications', 'read', '--all', '--json']);
    expect(read.events[0]).toEqual({ marked: 3 });
    expect((await bo.cli.run(['notifications', '--unread'])).stdout).toContain(
      'no unread notifications',
    );
  });
});
