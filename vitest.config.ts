import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Vitest's default leaves a core idle (one worker on a 2-core machine), but
// most suites wait on servers, child processes and the disk: a worker per
// core took the whole run from about 11 to under 6 minutes there. Each
// project resolves its own worker count from its own config, and only this
// variable (what `--maxWorkers` sets) reaches them all from one place.
process.env.VITEST_MAX_WORKERS ??= String(availableParallelism());

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
