import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.ts';

// The suite runs once per metadata database: SQLite always, PostgreSQL when
// it is reachable (required when FLICKR_REQUIRE_SERVICES=1, as in CI).
export default defineProject({
  ...sourceConditions,
  test: {
    name: 'server (sqlite)',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { FLICKR_TEST_DATABASE: 'sqlite' },
  },
});
