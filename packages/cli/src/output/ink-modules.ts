export interface InkModules {
  ink: typeof import('ink');
  react: typeof import('react');
}

/**
 * ink and React, loaded when a terminal view is wanted. They are ESM only
 * (ink awaits at top level), so they are imported dynamically: the CommonJS
 * build then loads them natively instead of require()-ing them.
 */
export async function loadInk(): Promise<InkModules> {
  const [ink, react] = await Promise.all([import('ink'), import('react')]);
  return { ink, react };
}
