import type { Page, Photo, Profile } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, readyPhoto } from './api-calls.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { follow, setProfile } from './social.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('private profiles', () => {
  let server: TestServer;
  let owner: User;
  let granted: User;
  let follower: User;
  let stranger: User;
  let photo: Photo;

  const listing = async (caller: User | undefined) =>
    (
      await callApi<Page<Photo>>(server.url, caller, 'GET', `/v1/users/${owner.username}/photos`)
    ).body.items.map((p) => p.id);
  const read = async (caller: User | undefined) =>
    (await callApi(server.url, caller, 'GET', `/v1/photos/${photo.id}`)).status;
  const thumbnailUrl = (p: Photo) =>
    `${server.url}${p.renditions.find((r) => r.name === 'thumbnail')?.url}`;

  beforeAll(async () => {
    server = await startTestServer();
    const registered = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ];
    [owner, granted, follower, stranger] = registered as [User, User, User, User];
    await callApi(server.url, owner, 'POST', '/v1/shares', { username: granted.username });
    await follow(server.url, follower, owner.username);
    photo = await readyPhoto(server.url, owner, 31, { visibility: 'public' });
  });
  afterAll(() => server?.destroy());

  it('is public by default, and its owner reads and sets it', async () => {
    const before = await callApi<Profile>(server.url, owner, 'GET', '/v1/profile');
    expect(before.body).toEqual({
      id: owner.userId,
      username: owner.username,
      visibility: 'public',
    });
    const bad = await fetch(`${server.url}/v1/profile`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ visibility: 'friends' }),
    });
    await expectProblem(bad, 400, 'validation_failed');
    expect((await callApi<Profile>(server.url, owner, 'GET', '/v1/profile')).body.visibility).toBe(
      'public',
    );
  });

  it('hides even public photos from strangers and followers, in lists, reads and the CDN tier, and shows them again when public', async () => {
    // A stranger's URL, issued while the profile was public.
    const issued = (await callApi<Photo>(server.url, stranger, 'GET', `/v1/photos/${photo.id}`))
      .body;
    expect((await fetch(thumbnailUrl(issued))).status).toBe(200);

    const changed = await setProfile(server.url, owner, 'private');
    expect(changed.body).toMatchObject({ visibility: 'private' });

    for (const caller of [undefined, stranger, follower]) {
      expect(await listing(caller)).toEqual([]);
      expect(await read(caller)).toBe(404);
    }
    for (const caller of [owner, granted]) {
      expect(await listing(caller)).toEqual([photo.id]);
      expect(await read(caller)).toBe(200);
    }
    // The CDN tier stops serving the stranger's URL within its cache lifetime (a second).
    await eventually(
      async () => ((await fetch(thumbnailUrl(issued))).status === 404 ? true : undefined),
      5_000,
      'the CDN tier to refuse the stranger',
    );
    // The owner's own file is served as private: no shared cache may keep it for strangers.
    const own = (await callApi<Photo>(server.url, owner, 'GET', `/v1/photos/${photo.id}`)).body;
    const ownFile = await fetch(thumbnailUrl(own));
    expect(ownFile.status).toBe(200);
    expect(ownFile.headers.get('cache-control')).toMatch(/^private/);

    await setProfile(server.url, owner, 'public');
    expect(await listing(stranger)).toEqual([photo.id]);
    expect(await read(undefined)).toBe(200);
    await eventually(
      async () => ((await fetch(thumbnailUrl(issued))).status === 200 ? true : undefined),
      5_000,
      'the CDN tier to serve the stranger again',
    );
  });
});
