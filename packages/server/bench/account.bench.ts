// Exporting and deleting a large account (100,000 photos by default). The
// export streams the document a batch at a time; its baseline, measured in
// the same run on the same rows, is the document built the obvious way: every
// photo read in one query and the whole of it stringified at once. Both are
// measured by the live heap they add at their peak (the server runs in this
// process) and, in a run of their own, their time. Then the account is
// deleted: one request, a statement per table.
//
// On SQLite, then on PostgreSQL (FLICKR_TEST_POSTGRES_URL) where it answers.
//
//   node --expose-gc --conditions=source packages/server/bench/account.bench.ts
//   BENCH_DATABASE=sqlite|postgres ... (one of them only)
//   BENCH_PHOTOS=100000 ... (photos of the account)
import { registerUser, startTestServer } from '../test/harness.ts';
import { photoRecord } from '../test/seed.ts';
import { connectDirectly, createBenchDatabase, onEachDatabase } from './listing-database.ts';
import { describeMachine } from './machine.ts';

const PHOTOS = Number(process.env.BENCH_PHOTOS ?? 100_000);
const MiB = 2 ** 20;
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The most live heap `work` adds: sampled every 20 ms, each sample after a
 * collection (with --expose-gc), so what is measured is what the work holds,
 * not garbage V8 has not collected yet. Those collections slow the work: its
 * time is measured in a run of its own.
 */
async function liveHeapMiB(work: () => Promise<unknown>): Promise<number> {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => {
    gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return (Math.max(peak, process.memoryUsage().heapUsed) - before) / MiB;
}

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

console.log(`account export and deletion, ${PHOTOS} photos; ${describeMachine()}`);
if (!gc) console.log('(run with --expose-gc: without it, heap figures count uncollected garbage)');

await onEachDatabase('account', async (kind) => {
  const database = await createBenchDatabase(kind);
  const server = await startTestServer({}, { role: 'serve', database });
  try {
    const user = await registerUser(server.url);
    const direct = await connectDirectly(server.dataDir, database.url);
    const start = Date.now() - PHOTOS * 1000;
    await direct.insertPhotos(
      Array.from({ length: PHOTOS }, (_, i) =>
        photoRecord(user.userId, {
          title: `photo ${i}`,
          tags: ['bench', `t${i % 100}`],
          createdAt: new Date(start + i * 1000).toISOString(),
        }),
      ),
    );
    await direct.close();

    let bytes = 0;
    const exportStreamed = async () => {
      bytes = 0;
      const response = await fetch(`${server.url}/v1/me/export`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      if (!response.body) throw new Error(`export answered ${response.status} without a body`);
      for await (const chunk of response.body) bytes += chunk.length;
    };
    const store = server.services.store;
    const exportWhole = async () => {
      const photos = await store.photos.list(
        { ownerId: user.userId, readyOnly: false, publicOnly: false },
        { limit: PHOTOS },
      );
      return JSON.stringify({ photos }).length;
    };
    const streamed = {
      ms: await timedMs(exportStreamed),
      heapMiB: await liveHeapMiB(exportStreamed),
    };
    const whole = { ms: await timedMs(exportWhole), heapMiB: await liveHeapMiB(exportWhole) };
    const deletedMs = await timedMs(async () => {
      const response = await fetch(`${server.url}/v1/me`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'a long passphrase' }),
      });
      if (response.status !== 204) throw new Error(`deletion answered ${response.status}`);
    });

    console.log(`\n${kind}: export of ${(bytes / MiB).toFixed(1)} MiB`);
    console.log('| what | time | live heap added at peak |');
    console.log('| --- | ---: | ---: |');
    const row = (what: string, ms: number, heapMiB?: number) =>
      console.log(
        `| ${what} | ${ms.toFixed(0)} ms | ${heapMiB === undefined ? '' : `${heapMiB.toFixed(1)} MiB`} |`,
      );
    row('export, streamed (GET /v1/me/export)', streamed.ms, streamed.heapMiB);
    row('baseline: every photo read and stringified at once', whole.ms, whole.heapMiB);
    row('delete the account (DELETE /v1/me)', deletedMs);
  } finally {
    await server.destroy();
  }
});
