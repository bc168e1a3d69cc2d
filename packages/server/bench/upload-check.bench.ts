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
      return (await response.json()) as CheckHashesResponse;
    };
    for (const s of scenarios) {
      const answer = await check(s);
      if (answer.existing.length !== s.known)
        throw new Error(`${s.name}: ${answer.existing.length} known, expected ${s.known}`);
      for (let i = 1; i < WARM_UP; i++) await check(s);
    }
    for (let i = 0; i < REQUESTS; i++) {
      for (const s of scenarios) {
        const cpuBefore = await server.cpuMs();
        const requestStarted = performance.now();
        await check(s);
        s.times.push(performance.now() - requestStarted);
        s.serverCpuMs += (await server.cpuMs()) - cpuBefore;
      }
    }

    console.log(
      `upload check: POST /v1/uploads/check, ${REQUESTS} requests per row after ${WARM_UP} warm-up, one at a time, ` +
        `rows taking turns; ${HASHES} photo rows seeded through the MetadataStore in ${(seededMs / 1000).toFixed(1)} s ` +
        '(with two registrations). Server (role serve, SQLite) in its own process, fetch with keep-alive from this one; ' +
        'times are round trips, so they include loopback and JSON on both sides.',
    );
    console.log(describeMachine());
    const baseline = percentile((scenarios[0] as Scenario).times, 50);
    console.table(
      scenarios.map((s) => ({
        request: s.name,
        known: s.known,
        'p50 ms': formatMs(percentile(s.times, 50)),
        'p99 ms': formatMs(percentile(s.times, 99)),
        'max ms': formatMs(Math.max(...s.times)),
        'server CPU ms/request': formatMs(s.serverCpuMs / REQUESTS),
        'p50 vs baseline': `${(percentile(s.times, 50) / baseline).toFixed(2)}×`,
      })),
    );
  } finally {
    await server.stop();
  }
}

await main();
