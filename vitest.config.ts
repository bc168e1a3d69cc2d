import { defineConfig } from 'vitest/config';

// One command runs every package's suite; each package keeps its own config,
// and the server's suite runs a second time on PostgreSQL.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/*/vitest.*.config.ts',
      'e2e/vitest.config.ts',
    ],
  },
});
