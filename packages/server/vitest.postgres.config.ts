import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';
import { POSTGRES_URL, postgresReachable } from './test/postgres-server.ts';

// The same suite as vitest.config.ts, on PostgreSQL: every test server gets
// its own schema (test/harness.ts). Skipped, with the reason printed, when
// PostgreSQL is not reachable, unless FLICKR_REQUIRE_SERVICES=1 (CI).
export default defineProject(async () => {
  const available = await postgresReachable();
  if (!available) {
    const reason = `PostgreSQL is not reachable at ${new URL(POSTGRES_URL).host}`;
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
