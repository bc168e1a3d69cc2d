import * as pQueue from 'p-queue';

/**
 * p-queue is ESM only. The CommonJS build loads it with require(esm), and the
 * bundler's interop wraps its namespace once more, so `default` is the
 * namespace there and the class one level down; the ESM build gets the class.
 */
const wrapped = pQueue.default as unknown as { default?: typeof pQueue.default };
const PQueue: typeof pQueue.default = wrapped.default ?? pQueue.default;
export default PQueue;
