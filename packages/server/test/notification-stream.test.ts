import type { Notification } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../src/domain/notifications.ts';
import { callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { seedPhotos } from './seed.ts';
import { openSse } from './sse-client.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

const STREAM = '/v1/notifications/stream';

describe('GET /v1/notifications/stream', () => {
  let server: TestServer;
  let owner: User;
  let reader: User;
  let photoId: string;
  let subject = 0;

  beforeAll(async () => {
    server = await startTestServer({
      FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      FLICKR_NOTIFICATION_POLL_MS: '200',
      FLICKR_NOTIFICATION_HEARTBEAT_MS: '300',
    });
    owner = await registerUser(server.url);
    reader = await registerUser(server.url);
    [photoId] = (await seedPhotos(server.services.store, owner.userId, 1)) as [string];
  });
  afterAll(() => server?.destroy());

  const auth = (user: User) => ({ authorization: `Bearer ${user.token}` });
  /** A notification written straight to the table, as another process would: no wake-up here. */
  const favorite = () =>
    notify(server.services.store, {
      recipientId: reader.userId,
      kind: 'photo_favorited',
      actorId: owner.userId,
      photoId,
      subject: `s${subject++}`,
    });
  const parsed = (data: string) => JSON.parse(data) as Notification;

  it('sends new notifications as events with ids, from this process at once and from others within a poll, with heartbeats', async () => {
    await favorite(); // before the stream: in the list, not in the stream
    const stream = await openSse(`${server.url}${STREAM}`, auth(reader));
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      await callApi(server.url, owner, 'POST', '/v1/shares', { username: reader.username });
      const [granted] = await stream.waitFor(1);
      expect(granted?.event).toBe('notification');
      expect(parsed(granted?.data ?? '')).toMatchObject({
        id: granted?.id,
        kind: 'share_granted',
        actor: { username: owner.username },
      });
      await favorite();
      const [, favorited] = await stream.waitFor(2);
      expect(parsed(favorited?.data ?? '').kind).toBe('photo_favorited');
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(stream.comments).toContain('heartbeat');
      expect(stream.events).toHaveLength(2);
    } finally {
      stream.close();
    }
  });

  it('resumes from Last-Event-ID: what was missed comes first, in order', async () => {
    const first = await openSse(`${server.url}${STREAM}`, auth(reader));
    await favorite();
    const [seen] = await first.waitFor(1);
    first.close();
    await first.ended;

    for (let i = 0; i < 3; i++) await favorite();
    const newest = await server.services.store.notifications.list(
      reader.userId,
      { unreadOnly: false },
      { limit: 3 },
    );
    const missed = newest
      .slice(0, 3)
      .map((n) => n.id)
      .reverse();

    const resumed = await openSse(`${server.url}${STREAM}`, {
      ...auth(reader),
      'last-event-id': seen?.id as string,
    });
    try {
      await favorite();
      const [latest] = await server.services.store.notifications.list(
        reader.userId,
        { unreadOnly: false },
        { limit: 1 },
      );
      // Exactly once: what was missed, in order, then what is new, and nothing again.
      const received = await resumed.waitFor(4);
      expect(received.map((event) => event.id)).toEqual([...missed, latest?.id]);
      for (const event of received) expect(event.id).toBe(parsed(event.data).id);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(resumed.events).toHaveLength(4);
    } finally {
      resumed.close();
    }
  });

  it('sends in commit order: a transaction that took its place first is sent first, however long it holds it', async () => {
    const stream = await openSse(`${server.url}${STREAM}`, auth(reader));
    try {
      let commit = () => {};
      const held = new Promise<void>((resolve) => {
        commit = resolve;
      });
      // A slow writer (a fan-out batch, say) takes the reader's next place and
      // holds its transaction open; a quick one, started later, waits for it.
      const slow = server.services.store.transaction(async (tx) => {
        await notify(tx, {
          recipientId: reader.userId,
          kind: 'comment_added',
          actorId: owner.userId,
          photoId,
          subject: `slow${subject++}`,
        });
        await held;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const quick = favorite();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(stream.events).toHaveLength(0);
      commit();
      await Promise.all([slow, quick]);
      const [first, second] = await stream.waitFor(2);
      expect(parsed(first?.data ?? '').kind).toBe('comment_added');
      expect(parsed(second?.data ?? '').kind).toBe('photo_favorited');

      // A resume after the first sends the second, and only it.
      const resumed = await openSse(`${server.url}${STREAM}`, {
        ...auth(reader),
        'last-event-id': first?.id as string,
      });
      try {
        expect((await resumed.waitFor(1)).map((event) => event.id)).toEqual([second?.id]);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(resumed.events).toHaveLength(1);
      } finally {
        resumed.close();
      }
    } finally {
      stream.close();
    }
  });

  it('refuses a bad Last-Event-ID and a missing token with problems', async () => {
    await expectProblem(
      await fetch(`${server.url}${STREAM}`, { headers: { ...auth(reader), 'last-event-id': 'x' } }),
      400,
      'bad_request',
    );
    await expectProblem(await fetch(`${server.url}${STREAM}`), 401, 'unauthenticated');
  });

  it('ends open streams on shutdown, which does not wait on them', async () => {
    const streams = await Promise.all(
      [1, 2, 3].map(() => openSse(`${server.url}${STREAM}`, auth(reader))),
    );
    const started = Date.now();
    await server.stop();
    // Well under the two seconds of grace the test server gives requests in flight.
    expect(Date.now() - started).toBeLessThan(1_500);
    await Promise.all(streams.map((stream) => stream.ended));
    server = await server.restart();
  });
});
