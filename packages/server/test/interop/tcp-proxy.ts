// A TCP proxy between a real tus client and a server that the test kills and
// restarts: it counts the bytes clients send through to the server, can hold
// each connection's bytes back past a chosen count (so a kill lands
// mid-upload, at a known point, however fast loopback is), and can drop one
// answer on the floor.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { eventually } from '../harness.ts';

/** How long a new connection waits for the server to listen again. */
const UPSTREAM_WAIT_MS = 30_000;

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: the base URL clients use instead of the server's. */
  readonly url: string;
  /** Bytes forwarded from clients to the server since the last {@link resetCount}. */
  forwardedBytes(): number;
  resetCount(): void;
  /**
   * From now on, each connection forwards at most `bytes` of what its client
   * sends (requests and bodies alike), then holds the rest.
   */
  holdEachAfter(bytes: number): void;
  /** How many connections hold bytes back now. */
  holding(): number;
  /** Lets held and further bytes through. */
  release(): void;
  /** Resolves once no connection to the server is open: after a kill, once each has seen it die. */
  serverConnectionsClosed(): Promise<void>;
  /** Closes the client's connection instead of forwarding the first answer `matches` accepts. */
  dropAnswerOnce(matches: (chunk: Buffer) => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `127.0.0.1:<port>`. When the server dies, the
 * connections it had die with it (the client sees its request fail, as it
 * would). A new connection while nothing listens waits until the server
 * listens again, as behind a load balancer that queues requests while its
 * backend restarts: the client's retry then needs no luck with timing
 * (tus-js-client gives up 9 s after a failure by default, and a restart on
 * a loaded CI machine may take longer than its first delays).
 */
export async function startTcpProxy(port: number): Promise<TcpProxy> {
  let forwarded = 0;
  let perConnection: number | undefined;
  let dropMatcher: ((chunk: Buffer) => boolean) | undefined;
  let onDropped: (() => void) | undefined;
  /** The connections holding bytes, each with the function that lets them go. */
  const held = new Map<Socket, () => void>();
  const sockets = new Set<Socket>();
  const upstreams = new Set<Socket>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const connectUpstream = async (client: Socket): Promise<Socket | undefined> => {
    const deadline = Date.now() + UPSTREAM_WAIT_MS;
    while (!client.destroyed) {
      const upstream = connect(port, '127.0.0.1');
      try {
        await once(upstream, 'connect');
        return upstream;
      } catch (error) {
        upstream.destroy();
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    return undefined;
  };

  const pipe = (client: Socket, upstream: Socket) => {
    track(upstream);
    upstreams.add(upstream);
    upstream.on('error', () => {});
    const closeBoth = () => {
      held.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', closeBoth);
    upstream.once('close', () => {
      upstreams.delete(upstream);
      closeBoth();
    });

    // Client to server: counted, held past the limit, with back-pressure.
    let sent = 0;
    const queue: Buffer[] = [];
    const flush = () => {
      held.delete(client);
      while (queue.length > 0) {
        const chunk = queue[0] as Buffer;
        const room = perConnection === undefined ? chunk.length : perConnection - sent;
        if (room <= 0) {
          client.pause();
          held.set(client, flush);
          return;
        }
        const part = chunk.subarray(0, room);
        if (part.length < chunk.length) queue[0] = chunk.subarray(room);
        else queue.shift();
        sent += part.length;
        forwarded += part.length;
        if (!upstream.write(part)) {
          client.pause();
          upstream.once('drain', flush);
          return;
        }
      }
      client.resume();
    };
    client.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      flush();
    });
    client.once('end', () => upstream.end());

    // Server to client: forwarded, unless this is the answer to drop.
    upstream.on('data', (chunk: Buffer) => {
      if (dropMatcher?.(chunk)) {
        dropMatcher = undefined;
        closeBoth();
        onDropped?.();
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    upstream.once('end', () => client.end());
    client.resume();
  };

  const server: Server = createServer((client) => {
    track(client);
    // Nothing is read from the client until its server connection is open.
    client.pause();
    client.on('error', () => {});
    connectUpstream(client).then(
      (upstream) => {
        if (upstream) pipe(client, upstream);
      },
      () => client.destroy(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${proxyPort}`,
    forwardedBytes: () => forwarded,
    resetCount: () => {
      forwarded = 0;
    },
    holdEachAfter: (bytes) => {
      perConnection = bytes;
    },
    holding: () => held.size,
    release: () => {
      perConnection = undefined;
      for (const flush of [...held.values()]) flush();
    },
    serverConnectionsClosed: () =>
      eventually(
        async () => (upstreams.size === 0 ? true : undefined),
        10_000,
        'connections to the server to close',
      ).then(() => {}),
    dropAnswerOnce: (matches) =>
      new Promise<void>((resolve) => {
        dropMatcher = matches;
        onDropped = resolve;
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
