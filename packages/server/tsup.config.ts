import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: buildApp, startRole and friends, for embedding and tests.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    // node:sqlite exists only under its node: name.
    removeNodeProtocol: false,
  },
  {
    // The flickr-server binary: ESM only, it awaits at top level.
    entry: ['src/main.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    // node:sqlite exists only under its node: name.
    removeNodeProtocol: false,
  },
]);
