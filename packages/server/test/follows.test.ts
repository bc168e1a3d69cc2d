import type { FollowEntry, Page } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { follow, seedFollows, seedUsers, setProfile, unfollow } from './social.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('follows', () => {
  let server: TestServer;
  let alice: User;
  let bob: User;

  const listOf = async (caller: User | undefined, username: string, side: string, query = '') =>
    callApi<Page<FollowEntry>>(server.url, caller, 'GET', `/v1/users/${username}/${side}?${query}`);

  beforeAll(async () => {
    server = await startTestServer();
    alice = await registerUser(server.url);
    bob = await registerUser(server.url);
  });
  afterAll(() => server?.destroy());

  it('follows once however many identical requests are in flight, and every answer is the one follow', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => follow(server.url, alice, bob.username)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const since = new Set(answers.map((a) => (a.body as unknown as FollowEntry).since));
    expect(since.size).toBe(1);
    const followers = await listOf(alice, bob.username, 'followers');
    expect(followers.body.items).toEqual([
      { user: { id: alice.userId, username: alice.username }, since: [...since][0] },
    ]);
    const following = await listOf(bob, alice.username, 'following');
    expect(following.body.items.map((e) => e.user.username)).toEqual([bob.username]);
  });

  it('unfollows idempotently, even with several requests in flight', async () => {
    const carol = await registerUser(server.url);
    await follow(server.url, carol, bob.username);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => unfollow(server.url, carol, bob.username)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 204));
    const followers = await listOf(undefined, bob.username, 'followers');
    expect(followers.body.items.map((e) => e.user.username)).not.toContain(carol.username);
  });

  it('answers follows and unfollows racing each other cleanly, ending as the last one says', async () => {
    const carol = await registerUser(server.url);
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2
            ? unfollow(server.url, carol, alice.username)
            : follow(server.url, carol, alice.username),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 204, 204, 204, 204]);
    }
    expect((await follow(server.url, carol, alice.username)).status).toBe(200);
    const followers = await listOf(alice, alice.username, 'followers');
    expect(followers.body.items.map((e) => e.user.username)).toContain(carol.username);
  });

  it('refuses to follow yourself or someone who does not exist', async () => {
    const self = await fetch(`${server.url}/v1/following/${alice.username}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${alice.token}` },
    });
    await expectProblem(self, 400, 'bad_request');
    const nobody = await fetch(`${server.url}/v1/following/nobody-here`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${alice.token}` },
    });
    await expectProblem(nobody, 404, 'not_found');
  });

  it('pages followers newest first, forward and back, exactly', async () => {
    const star = await registerUser(server.url);
    const fans = await seedUsers(server.services.store, 23);
    await seedFollows(server.services.store, star.userId, fans);
    const newestFirst = [...fans].reverse();
    const seen: string[] = [];
    let page = await listOf(undefined, star.username, 'followers', 'limit=10');
    expect(page.body.prevCursor).toBeNull();
    const pages = [page.body];
    for (;;) {
      seen.push(...page.body.items.map((e) => e.user.id));
      if (!page.body.nextCursor) break;
      page = await listOf(
        undefined,
        star.username,
        'followers',
        `limit=10&after=${page.body.nextCursor}`,
      );
      pages.push(page.body);
    }
    expect(seen).toEqual(newestFirst);
    const back = await listOf(
      undefined,
      star.username,
      'followers',
      `limit=10&before=${pages[2]?.prevCursor}`,
    );
    expect(back.body.items.map((e) => e.user.id)).toEqual(newestFirst.slice(10, 20));
  });

  it('shows a private profile’s lists to those it shared with, and to nobody else but its owner', async () => {
    const hermit = await registerUser(server.url);
    const friend = await registerUser(server.url);
    await follow(server.url, alice, hermit.username);
    await follow(server.url, hermit, bob.username);
    expect((await setProfile(server.url, hermit, 'private')).status).toBe(200);
    await callApi(server.url, hermit, 'POST', '/v1/shares', { username: friend.username });
    for (const side of ['followers', 'following']) {
      for (const stranger of [undefined, alice, bob]) {
        const { status, body } = await listOf(stranger, hermit.username, side);
        expect(status).toBe(200);
        expect(body).toEqual({ items: [], nextCursor: null, prevCursor: null });
      }
      for (const insider of [hermit, friend])
        expect((await listOf(insider, hermit.username, side)).body.items).toHaveLength(1);
    }
    // Following a private profile is allowed: it asks to be told, it shows nothing.
    expect((await follow(server.url, bob, hermit.username)).status).toBe(200);
  });
});
