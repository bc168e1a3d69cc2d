// The batch dedup check (POST /v1/uploads/check) with 1,000 hashes, for a
// user who has all 1,000 photos against one who has none (the baseline), in
// the same run on the same server; and one hash, for what any request costs.
// Photo rows are seeded through the server's MetadataStore rather than
// uploaded. The server (role serve) runs in a process of its own; requests
// go one at a time, the scenarios taking turns, from this process.
//
//   node --conditions=source packages/server/bench/upload-check.bench.ts
//   BENCH_CHECK_REQUESTS=200 ... (the default)
import { createHash, randomUUID } from 'node:crypto';
import type { CheckHashesResponse } from '@flickr-kit/sdk/contract';
import { registerUser } from '../test/harness.ts';
import { describeMachine } from './machine.ts';
import { formatMs, percentile } from './percentiles.ts';
import { startServerProcess } from './server-process.ts';

const REQUESTS = Number(process.env.BENCH_CHECK_REQUESTS ?? 200);
const WARM_UP = 20;
const HASHES = 1000;

const hashes = (count: number) =>
  Array.from({ length: count }, () => createHash('sha256').update(randomUUID()).digest('hex'));

interface Scenario {
  name: string;
  token: string;
  /** The request body, serialised once, outside the timing. */
  body: string;
  sent: number;
  known: number;
  times: number[];
  /** What the server reports it spent on each request (Server-Timing), without the network. */
  serverTimes: number[];
  serverCpuMs: number;
}

async function main(): Promise<void> {
  const server = await startServerProcess('serve');
  try {
    const started = performance.now();
    const owner = await registerUser(server.url);
    const newcomer = await registerUser(server.url);
    const owned = hashes(HASHES);
    await server.seedPhotos(owner.userId, owned);
    const seededMs = performance.now() - started;

    const scenario = (name: string, token: string, sha256: string[], known: number): Scenario => ({
      name,
      token,
      body: JSON.stringify({ sha256 }),
      sent: sha256.length,
      known,
      times: [],
      serverTimes: [],
      serverCpuMs: 0,
    });
    const scenarios = [
      scenario('1,000 hashes, user has none of them (baseline)', newcomer.token, owned, 0),
      scenario('1,000 hashes, user has all 1,000', owner.token, owned, HASHES),
      scenario('1,000 other hashes, user has 1,000 photos', owner.token, hashes(HASHES), 0),
      scenario('1 hash the user has (cost of any request)', owner.token, owned.slice(0, 1), 1),
    ];

    const check = async (s: Scenario) => {
      const response = await fetch(`${server.url}/v1/uploads/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        body: s.body,
      });
      if (response.status !== 200)
        throw new Error(`check answered ${response.status}: ${await response.text()}`);
      const timing = /app;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '');
      if (!timing) throw new Error('the server sent no Server-Timing header');
      return {
        answer: (await response.json()) as CheckHashesResponse,
        serverMs: Number(timing[1]),
      };
    };
    for (const s of scenarios) {
      const { answer } = await check(s);
      if (answer.existing.length !== s.known)
        throw new Error(`${s.name}: ${answer.existing.length} known, expected ${s.known}`);
      for (let i = 1; i < WARM_UP; i++) await check(s);
    }
    for (let i = 0; i < REQUESTS; i++) {
      for (const s of scenarios) {
        const cpuBefore = await server.cpuMs();
        const requestStarted = performance.now();
        const { serverMs } = await check(s);
        s.times.push(performance.now() - requestStarted);
        s.serverTimes.push(serverMs);
        s.serverCpuMs += (await server.cpuMs()) - cpuBefore;
      }
    }

    console.log(
      `upload check: POST /v1/uploads/check, ${REQUESTS} requests per row after ${WARM_UP} warm-up, one at a time, ` +
        `rows taking turns; ${HASHES} photo rows seeded through the MetadataStore in ${(seededMs / 1000).toFixed(1)} s ` +
        '(with two registrations). Server (role serve, SQLite) in its own process, fetch with keep-alive from this one; ' +
        'round trips include loopback and the client side of JSON; server times are what the server reports in ' +
        'Server-Timing (from the request reaching Fastify to the serialised answer, no network).',
    );
    console.log(describeMachine());
    const baseline = percentile((scenarios[0] as Scenario).serverTimes, 50);
    console.table(
      scenarios.map((s) => ({
        request: s.name,
        known: s.known,
        'server p50 ms': formatMs(percentile(s.serverTimes, 50)),
        'server p99 ms': formatMs(percentile(s.serverTimes, 99)),
        'round trip p50 ms': formatMs(percentile(s.times, 50)),
        'round trip p99 ms': formatMs(percentile(s.times, 99)),
        'server CPU ms/request': formatMs(s.serverCpuMs / REQUESTS),
        'server p50 vs baseline': `${(percentile(s.serverTimes, 50) / baseline).toFixed(2)}×`,
      })),
    );
  } finally {
    await server.stop();
  }
}

await main();
