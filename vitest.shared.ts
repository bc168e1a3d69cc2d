/**
 * Workspace packages resolve to their TypeScript sources through the
 * `source` export condition, so suites never need a build. The rest is
 * Vite's default server conditions.
 */
const conditions = ['source', 'module', 'node', 'development|production'];

export const sourceConditions = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
};
