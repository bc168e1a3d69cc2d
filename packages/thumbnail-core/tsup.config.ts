import { defineConfig } from 'tsup';

export default defineConfig({
  // `./hash` alone loads no sharp: clients that only hash files stay light.
  entry: ['src/index.ts', 'src/hash-file.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // thumbhash ships ESM only; bundling it keeps the CommonJS build loadable everywhere.
  noExternal: ['thumbhash'],
});
