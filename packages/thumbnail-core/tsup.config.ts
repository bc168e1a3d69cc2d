import { defineConfig } from 'tsup';

export default defineConfig({
  // `./hash` alone loads no sharp: clients that only hash files stay light.
  // The HEIC worker is started by file (heic-decoder.ts), so it is an entry of its own.
  entry: ['src/index.ts', 'src/hash-file.ts', 'src/heic-worker.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // thumbhash ships ESM only; bundling it keeps the CommonJS build loadable everywhere.
  noExternal: ['thumbhash'],
  // import.meta.url in the CommonJS build: it finds the worker and libheif-js's files.
  shims: true,
});
