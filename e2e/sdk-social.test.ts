import {
  AuthenticationError,
  type FlickrClient,
  NotFoundError,
  type Notification,
  ValidationError,
} from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, photo, type RealServer, startRealServer } from './real-server.ts';

type Client = FlickrClient & { username: string };

describe('the SDK’s people resources against a real server', () => {
  let server: RealServer;
  let ada: Client;
  let bo: Client;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startRealServer({
      FLICKR_NOTIFICATION_POLL_MS: '100',
      FLICKR_NOTIFICATION_HEARTBEAT_MS: '500',
    });
    ada = await server.client();
    bo = await server.client();
    clients.push(ada, bo);
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await server.destroy();
  });

  it('follows idempotently, pages followers and following, and throws typed errors', async () => {
    const [first, again] = await Promise.all([
      bo.follows.follow(ada.username),
      bo.follows.follow(ada.username),
    ]);
    expect(again.since).toBe(first.since);
    expect((await bo.follows.following(bo.username).toArray()).map((e) => e.user.username)).toEqual(
      [ada.username],
    );
    expect(
      (await ada.follows.followers(ada.username, { limit: 1 }).toArray()).map(
        (e) => e.user.username,
      ),
    ).toEqual([bo.username]);
    await expect(bo.follows.follow('nobody-here')).rejects.toBeInstanceOf(NotFoundError);
    await expect(bo.follows.follow(bo.username)).rejects.toBeInstanceOf(ValidationError);
  });

  it('sets the profile private and public', async () => {
    expect((await ada.profiles.get()).visibility).toBe('public');
    expect((await ada.profiles.setVisibility('private')).visibility).toBe('private');
    expect((await ada.profiles.setVisibility('public')).visibility).toBe('public');
  });

  it('lists, counts and marks notifications read', async () => {
    await ada.uploads.uploadFile(await photo(901), { visibility: 'public' });
    const [told] = await eventually(async () => {
      const items = await bo.notifications.list({ unread: true }).toArray();
      return items.length > 0 ? items : undefined;
    }, 'the new_photo notification');
    expect(told).toMatchObject({ kind: 'new_photo', actor: { username: ada.username } });
    expect(await bo.notifications.unreadCount()).toBe(1);
    await bo.notifications.markRead(told?.id as string);
    expect(await bo.notifications.unreadCount()).toBe(0);
    expect(await bo.notifications.markAllRead()).toBe(0);
  });

  it('streams notifications, and resumes across a server restart without losing or repeating any', async () => {
    await bo.follows.follow(ada.username);
    // Delivery is at least once around a resume point: one of these may come again, never twice.
    const before = new Set((await bo.notifications.list().toArray()).map((n) => n.id));
    const controller = new AbortController();
    const received: Notification[] = [];
    const reconnects: number[] = [];
    const consuming = (async () => {
      for await (const notification of bo.notifications.stream({
        signal: controller.signal,
        onReconnect: ({ attempt }) => {
          reconnects.push(attempt);
        },
      }))
        received.push(notification);
    })();
    // The stream is open once a fresh grant arrives on it.
    const carol = await server.client();
    clients.push(carol);
    await carol.shares.grant(bo.username);
    await eventually(async () => (received.length === 1 ? true : undefined), 'the first event');

    // Restart the server: the stream ends, and what happens meanwhile is sent on reconnect.
    server = await server.restart();
    const dan = await server.client();
    clients.push(dan);
    await dan.shares.grant(bo.username);
    await ada.uploads.uploadFile(await photo(902), { visibility: 'public' });
    const fresh = () => received.filter((n) => !before.has(n.id));
    try {
      await eventually(
        async () => (fresh().length === 3 ? true : undefined),
        'the events after the restart',
      );
    } finally {
      controller.abort();
      await consuming;
    }
    expect(reconnects.length).toBeGreaterThan(0);
    expect(
      fresh()
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['new_photo', 'share_granted', 'share_granted']);
    expect(new Set(received.map((n) => n.id)).size).toBe(received.length);
    // What the stream gave is what the list holds.
    const listed = await bo.notifications.list().toArray();
    for (const notification of received) expect(listed.map((n) => n.id)).toContain(notification.id);
  });

  it('throws a typed error when the server refuses the stream', async () => {
    const stranger = bo.withToken('not-a-token');
    clients.push(Object.assign(stranger, { username: 'x' }));
    const stream = stranger.notifications.stream();
    await expect(stream.next()).rejects.toBeInstanceOf(AuthenticationError);
  });
});
