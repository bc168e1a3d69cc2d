import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: run() and the command tree, for embedding and docs.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
  },
  {
    // The flickr-cli binary: ESM only, it awaits at top level.
    entry: ['src/main.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
  },
]);
