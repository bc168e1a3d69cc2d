// How much memory outside the JavaScript heap (Buffers) an operation holds at
// its peak: the measure of "streamed, never the whole file in memory".
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection. Buffers that are already garbage count in
 * `arrayBuffers` until V8 collects them, which it may put off until some
 * tens of MiB have piled up: only right after a collection does the figure
 * say what is still held.
 */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Runs `operation` while sampling the bytes held in Buffers after a forced
 * collection, every `everyMs`; answers the highest sample above what was
 * held before it started. This process must not run an S3 server or
 * anything else that holds the blob: start those in a process of their own.
 */
export async function peakHeldBytes(operation: () => Promise<void>, everyMs = 25): Promise<number> {
  const gc = collectGarbage();
  gc();
  const before = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
  };
  const timer = setInterval(sample, everyMs);
  try {
    await operation();
  } finally {
    clearInterval(timer);
  }
  return peak;
}
