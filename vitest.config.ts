import { defineConfig } from 'vitest/config';

// One command runs every package's suite; each package keeps its own config.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
