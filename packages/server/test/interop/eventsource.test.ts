// The notification stream read by a stock Server-Sent Events client: the
// `eventsource` package, the WHATWG EventSource for Node, as a program that
// stays connected would use it. It gets its bearer token through its `fetch`
// option (a browser's EventSource cannot send one), and everything else is
// the client's own: parsing, `retry:`, reconnecting, Last-Event-ID.
import type { Notification } from '@flickr-kit/sdk/contract';
import { EventSource, type FetchLike } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../../src/domain/notifications.ts';
import { eventually, registerUser, startTestServer, type TestServer } from '../harness.ts';
import { seedPhotos } from '../seed.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

const until = (condition: () => boolean, what: string) =>
  eventually(async () => (condition() ? true : undefined), 10_000, what);

/** A stock client whose connections the test can cut as a network would, mid-stream. */
function stockClient(url: string, token: string | undefined) {
  const lastEventIds: (string | null)[] = [];
  const cuts: (() => void)[] = [];
  const fetchWithToken: FetchLike = async (input, init) => {
    const headers = new Headers(init.headers);
    lastEventIds.push(headers.get('last-event-id'));
    if (token) headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(input, { ...init, headers });
    if (!response.body) return response;
    // The body as the client sees it, until the test cuts it: then the read
    // fails as a reset connection does (not as an abort, which the client
    // takes for its own close()).
    const upstream = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        cuts.push(() => {
          controller.error(new TypeError('terminated: connection reset'));
          void upstream.cancel();
        });
      },
      async pull(controller) {
        const { done, value } = await upstream.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => upstream.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const source = new EventSource(url, { fetch: fetchWithToken });
  const received: MessageEvent[] = [];
  const errors: { code?: number | undefined }[] = [];
  source.addEventListener('notification', (event) => received.push(event));
  source.addEventListener('error', (event) => errors.push({ code: event.code }));
  return {
    source,
    received,
    errors,
    /** The Last-Event-ID each connection sent, in order (null: none). */
    lastEventIds,
    /** Cuts the open connection. */
    cut: () => cuts.at(-1)?.(),
  };
}

describe('the notification stream, read by a stock EventSource client', () => {
  let server: TestServer;
  let owner: User;
  let reader: User;
  let photoId: string;
  let subject = 0;
  const open: EventSource[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      FLICKR_NOTIFICATION_POLL_MS: '200',
      FLICKR_NOTIFICATION_HEARTBEAT_MS: '500',
    });
    owner = await registerUser(server.url);
    reader = await registerUser(server.url);
    [photoId] = (await seedPhotos(server.services.store, owner.userId, 1)) as [string];
  });
  afterEach(() => {
    for (const source of open.splice(0)) source.close();
  });
  afterAll(() => server?.destroy());

  /** A notification written straight to the table, as another process would write it. */
  const favorite = async (): Promise<string> => {
    await notify(server.services.store, {
      recipientId: reader.userId,
      kind: 'photo_favorited',
      actorId: owner.userId,
      photoId,
      subject: `s${subject++}`,
    });
    const [newest] = await server.services.store.notifications.list(
      reader.userId,
      { unreadOnly: false },
      { limit: 1 },
    );
    return (newest as { id: string }).id;
  };

  it('gets each notification once, with its id, across a connection cut mid-stream', async () => {
    const client = stockClient(`${server.url}/v1/notifications/stream`, reader.token);
    open.push(client.source);
    await until(() => client.source.readyState === EventSource.OPEN, 'the stream to open');

    const first = await favorite();
    await until(() => client.received.length === 1, 'the first event');
    const [event] = client.received as [MessageEvent];
    expect(event.lastEventId).toBe(first);
    expect(JSON.parse(event.data) as Notification).toMatchObject({
      id: first,
      kind: 'photo_favorited',
      photoId,
    });

    // The network drops; what is written meanwhile arrives after the client
    // reconnects by itself (the server's `retry: 1000`), resumed from the
    // last id it saw, and nothing it already had comes again.
    client.cut();
    await until(() => client.source.readyState === EventSource.CONNECTING, 'the cut to be seen');
    const missed = [await favorite(), await favorite()];
    await until(() => client.received.length === 3, 'the missed events');
    expect(client.received.map((e) => e.lastEventId)).toEqual([first, ...missed]);
    expect(client.lastEventIds).toEqual([null, first]);
    expect(client.errors).toEqual([{ code: undefined }]);

    // And it keeps streaming on the new connection.
    const later = await favorite();
    await until(() => client.received.at(-1)?.lastEventId === later, 'the later event');
  });

  it('gives up on 401 without a token, as EventSource does on any answer but 200', async () => {
    const client = stockClient(`${server.url}/v1/notifications/stream`, undefined);
    open.push(client.source);
    await until(() => client.source.readyState === EventSource.CLOSED, 'the client to give up');
    expect(client.errors).toEqual([{ code: 401 }]);
    expect(client.lastEventIds).toEqual([null]);
  });
});
