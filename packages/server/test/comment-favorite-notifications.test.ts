// A comment on my photo, and my photo favorited, tell me: once, in the
// transaction of the change, never of what I did myself, and at once on a
// live stream of this process.
import type { Notification, Page } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { seedPhotos } from './seed.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('notifications of comments and favorites', () => {
  let server: TestServer;
  let owner: User;
  let fan: User;

  const inbox = async (user: User) => {
    const answer = await callApi<Page<Notification>>(server.url, user, 'GET', '/v1/notifications');
    expect(answer.status).toBe(200);
    return answer.body.items.map(({ kind, actor, photoId }) => ({
      kind,
      actor: actor?.username,
      photoId,
    }));
  };
  const photoOf = async (user: User) =>
    (
      await seedPhotos(server.services.store, user.userId, 1, { visibility: 'public' })
    )[0] as string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await registerUser(server.url);
    fan = await registerUser(server.url);
  });
  afterAll(() => server.destroy());

  it('tells the owner of each comment, and nobody of their own', async () => {
    const photo = await photoOf(owner);
    const comment = (text: string, user: User) =>
      callApi(server.url, user, 'POST', `/v1/photos/${photo}/comments`, { text });
    expect((await comment('Lovely light', fan)).status).toBe(201);
    expect((await comment('Thank you!', owner)).status).toBe(201);
    expect(await inbox(owner)).toEqual([
      { kind: 'comment_added', actor: fan.username, photoId: photo },
    ]);
    expect(await inbox(fan)).toEqual([]);
  });

  it('tells the owner of a favorite once, however often it is added, removed and raced', async () => {
    const photo = await photoOf(owner);
    const path = `/v1/photos/${photo}/favorite`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => callApi(server.url, fan, 'PUT', path)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await callApi(server.url, fan, 'DELETE', path);
    await callApi(server.url, fan, 'PUT', path);
    await callApi(server.url, owner, 'PUT', path);
    const favorited = (await inbox(owner)).filter((n) => n.kind === 'photo_favorited');
    expect(favorited).toEqual([{ kind: 'photo_favorited', actor: fan.username, photoId: photo }]);
  });
});
