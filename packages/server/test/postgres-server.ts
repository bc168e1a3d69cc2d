// The PostgreSQL server the suite's second run and the listing benchmark use,
// and whether it answers (both skip, saying why, where it does not).
import { createConnection } from 'node:net';

export const POSTGRES_URL =
  process.env.FLICKR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether something accepts connections at POSTGRES_URL's host and port, within 2 s. */
export function postgresReachable(): Promise<boolean> {
  const url = new URL(POSTGRES_URL);
  return new Promise((resolve) => {
    const socket = createConnection({
      host: url.hostname,
      port: Number(url.port || 5432),
      timeout: 2000,
    });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
