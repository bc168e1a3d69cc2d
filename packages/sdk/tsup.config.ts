import { defineConfig, type Options } from 'tsup';

const common: Options = {
  entry: { index: 'src/index.ts', 'contract/index': 'src/contract/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node22',
};

export default defineConfig([
  { ...common, format: 'esm', clean: true },
  {
    ...common,
    format: 'cjs',
    // p-queue ships ESM only. require()-ing it from CommonJS hands back its
    // namespace, where the bundler's interop expects the class: bundled
    // here, it is plain CommonJS code like the rest.
    noExternal: ['p-queue'],
  },
]);
