/**
 * Workspace packages resolve to their TypeScript sources through the
 * `source` export condition, so suites never need a build. The rest is
 * Vite's default server conditions less `module`: Vitest hands these
 * conditions to Node as well, and `module` picks builds made for bundlers,
 * which Node cannot load (the AWS SDK's `dist-es` imports files without
 * their extensions). Without it, dependencies resolve as they do when the
 * server runs.
 */
const conditions = ['source', 'node', 'development|production'];

export const sourceConditions = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
};
