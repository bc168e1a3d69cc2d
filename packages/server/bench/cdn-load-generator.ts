// The CDN benchmark's load generator: autocannon in a process of its own, so
// that it does not share an event loop (or, on two cores, a core) with the
// server it measures. Reads a LoadSpec as JSON from the file named by its
// argument and writes a LoadResult as JSON to standard output.
//
//   node packages/server/bench/cdn-load-generator.ts spec.json
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';

/** What to load: a server, the paths to cycle through, how hard and how long. */
export interface LoadSpec {
  url: string;
  paths: string[];
  connections: number;
  seconds: number;
}

/** What one load run measured, latencies in milliseconds. */
export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerSecond: number;
}

/** The paths in a random order of their own (Fisher-Yates). */
function shuffled(paths: readonly string[]): string[] {
  const order = [...paths];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  return order;
}

/**
 * Runs autocannon. Each connection cycles through every path in a random
 * order of its own, as independent viewers would. Connections that share one
 * order fall into step behind the first slow answer and then ask for the same
 * file all at once, which measures a convoy rather than a CDN; drawing a path
 * per request instead (`setupRequest`) rebuilds every request and makes the
 * load generator the bottleneck.
 */
export async function generateLoad(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    setupClient: (client) =>
      client.setRequests(shuffled(spec.paths).map((path) => ({ method: 'GET', path }))),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerSecond: result.throughput.average,
  };
}

if (import.meta.main) {
  const specFile = process.argv[2];
  if (!specFile) throw new Error('usage: cdn-load-generator.ts SPEC.json');
  const spec = JSON.parse(await readFile(specFile, 'utf8')) as LoadSpec;
  process.stdout.write(JSON.stringify(await generateLoad(spec)));
}
