import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: run() and the command tree, for embedding and docs.
    entry: ['src/index.ts'],
    format: 'esm',
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
  },
  {
    entry: ['src/index.ts'],
    format: 'cjs',
    dts: true,
    sourcemap: true,
    target: 'node22',
    // p-queue ships ESM only: bundled into the CommonJS build, it needs no
    // interop (conf, ink and React load through dynamic imports instead).
    noExternal: ['p-queue'],
  },
  {
    // The flickr-cli binary: ESM only, it awaits at top level.
    entry: ['src/main.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
  },
]);
