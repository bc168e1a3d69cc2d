import { createConnection } from 'node:net';
import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';

// The same suite as vitest.config.ts, on PostgreSQL: every test server gets
// its own schema (test/harness.ts). Skipped, with the reason printed, when
// PostgreSQL is not reachable, unless FLICKR_REQUIRE_SERVICES=1 (CI).
const url = new URL(
  process.env.FLICKR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);

function reachable(): Promise<boolean> {
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

export default defineProject(async () => {
  const available = await reachable();
  if (!available) {
    const reason = `PostgreSQL is not reachable at ${url.host}`;
    if (process.env.FLICKR_REQUIRE_SERVICES === '1')
      throw new Error(`${reason}, and FLICKR_REQUIRE_SERVICES=1`);
    console.warn(`server (postgres): skipped: ${reason}`);
  }
  return {
    ...sourceConditions,
    test: {
      name: 'server (postgres)',
      include: available ? ['test/**/*.test.ts'] : [],
      passWithNoTests: true,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      env: { FLICKR_TEST_DATABASE: 'postgres' },
    },
  };
});
