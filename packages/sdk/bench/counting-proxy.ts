// A TCP proxy on loopback that counts the bytes a client sends to a server:
// what actually crossed the wire, headers included, not what the client's
// own progress events claim. It can also hold the client's bytes after a
// budget, so a test can interrupt a transfer at a known point, however fast
// loopback is.
import net from 'node:net';

export interface CountingProxy {
  url: string;
  /** Bytes forwarded from clients to the server since the start or the last {@link reset}. */
  readonly sent: number;
  /** Bytes forwarded from the server to clients, likewise. */
  readonly received: number;
  reset(): void;
  /**
   * Forwards at most `bytes` more client bytes, then holds the rest (the
   * connection stays open, its sender blocked); resolves once it holds.
   */
  holdAfter(bytes: number): Promise<void>;
  /** Stops holding: held and later bytes flow again. */
  release(): void;
  /** Cuts every open connection, as a network failure would. */
  cut(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(
  upstreamPort: number,
  upstreamHost = '127.0.0.1',
): Promise<CountingProxy> {
  let sent = 0;
  let received = 0;
  let budget = Number.POSITIVE_INFINITY;
  let onHeld: (() => void) | undefined;
  const sockets = new Set<net.Socket>();
  const paused = new Set<() => void>();

  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, upstreamHost);
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      client.write(chunk);
    });
    const forward = (chunk: Buffer) => {
      if (chunk.length === 0) return;
      if (budget < 1) {
        client.pause();
        const resume = () => {
          paused.delete(resume);
          client.resume();
          forward(chunk);
        };
        paused.add(resume);
        onHeld?.();
        return;
      }
      const now = chunk.subarray(0, Math.min(chunk.length, budget));
      budget -= now.length;
      sent += now.length;
      upstream.write(now);
      forward(chunk.subarray(now.length));
    };
    client.on('data', forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    get sent() {
      return sent;
    },
    get received() {
      return received;
    },
    reset() {
      sent = 0;
      received = 0;
    },
    holdAfter(bytes) {
      budget = Math.floor(bytes);
      return new Promise<void>((resolve) => {
        onHeld = () => {
          onHeld = undefined;
          resolve();
        };
      });
    },
    release() {
      budget = Number.POSITIVE_INFINITY;
      for (const resume of [...paused]) resume();
    },
    cut() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      paused.clear();
    },
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
