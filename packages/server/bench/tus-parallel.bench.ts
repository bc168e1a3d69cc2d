// tus-js-client's `parallelUploads` against one stream, on one 200 MiB file
// over loopback: N partial uploads sent at once, then a final upload that
// names them (the server copies the parts into one file, hashing as it
// goes, and runs the pivot), against tus-js-client's default of one PATCH.
// The server runs in a process of its own (role `serve`, as many transfers
// per user as parts), the client in this one, streaming the file from disk.
// Rounds alternate between contenders, each as a new user, and what the
// server received is deleted after each. On a machine of few cores, client,
// server and kernel share them: more streams buy no more CPU.
//
//   node --conditions=source packages/server/bench/tus-parallel.bench.ts
//   BENCH_PARALLEL_MB=200 BENCH_PARALLEL_ROUNDS=5 ... (the defaults)
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { registerUser } from '../test/harness.ts';
import { describeMachine } from './machine.ts';
import { type GeneratedFile, writeNoisePng } from './noise-png-file.ts';
import { percentile } from './percentiles.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { tusUpload } from './tus-upload.ts';

const MiB = 2 ** 20;
const FILE_MIB = Number(process.env.BENCH_PARALLEL_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_PARALLEL_ROUNDS ?? 5);

/** One stream first: it is the baseline. */
const CONTENDERS = [
  { name: 'one stream (tus-js-client default, one PATCH)', parallelUploads: 1 },
  { name: 'parallelUploads: 2', parallelUploads: 2 },
  { name: 'parallelUploads: 4', parallelUploads: 4 },
];
const MOST_PARTS = Math.max(...CONTENDERS.map((c) => c.parallelUploads));

interface Measured {
  seconds: number[];
  serverCpuMs: number[];
  clientCpuMs: number[];
}

const config = loadConfig();

async function discardReceivedFiles(server: ServerProcess): Promise<void> {
  const dir = join(server.dataDir, 'uploads');
  const names = await readdir(dir).catch(() => []);
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
}

async function measure(server: ServerProcess, file: GeneratedFile, warmUp: GeneratedFile) {
  const users = await Promise.all(
    Array.from({ length: CONTENDERS.length * (ROUNDS + 1) }, () => registerUser(server.url)),
  );
  const results = CONTENDERS.map(
    (): Measured => ({ seconds: [], serverCpuMs: [], clientCpuMs: [] }),
  );
  // Round -1 sends a 1 MiB file each way (JIT, connections, the first writes) and is not counted.
  for (let round = -1; round < ROUNDS; round++) {
    for (let k = 0; k < CONTENDERS.length; k++) {
      const i = (Math.max(0, round) + k) % CONTENDERS.length;
      const contender = CONTENDERS[i] as (typeof CONTENDERS)[number];
      const source = round < 0 ? warmUp : file;
      const { token } = users.pop() as { token: string };
      const cpuBefore = await server.cpuMs();
      const clientBefore = process.cpuUsage();
      const started = performance.now();
      const result = await tusUpload(server.url, source.path, {
        token,
        sha256: source.sha256,
        filename: 'noise.png',
        ...(contender.parallelUploads > 1 ? { parallelUploads: contender.parallelUploads } : {}),
      });
      const seconds = (performance.now() - started) / 1000;
      const client = process.cpuUsage(clientBefore);
      const serverCpu = (await server.cpuMs()) - cpuBefore;
      if (result.duplicate || result.photo.sha256 !== source.sha256)
        throw new Error(`${contender.name}: not a new photo of the file`);
      await discardReceivedFiles(server);
      if (round < 0) continue;
      const m = results[i] as Measured;
      m.seconds.push(seconds);
      m.serverCpuMs.push(serverCpu);
      m.clientCpuMs.push((client.user + client.system) / 1000);
    }
  }
  return results;
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-parallel-'));
  let server: ServerProcess | undefined;
  try {
    const started = performance.now();
    const warmUp = await writeNoisePng(join(scratch, 'warm-up.png'), 1);
    const file = await writeNoisePng(join(scratch, 'large.png'), FILE_MIB);
    console.log(
      `tus-js-client parallelUploads against one stream: one ${(file.bytes / MiB).toFixed(0)} MiB noise PNG, ` +
        `streamed from disk over loopback to one server process (role serve, ${MOST_PARTS} transfers per user); ` +
        `median of ${ROUNDS} rounds after a warm-up round, contenders alternating, each round a new user, ` +
        'received files deleted after each. The time runs from the first request to the pivot’s answer ' +
        '(for parallel uploads: the final concatenation’s).',
    );
    console.log(describeMachine());
    server = await startServerProcess('serve', {
      FLICKR_MAX_UPLOAD_BYTES: String(Math.max(config.maxUploadBytes, file.bytes)),
      FLICKR_PIXEL_LIMIT: String(Math.max(config.pixelLimit, file.width * file.height)),
      FLICKR_UPLOADS_PER_USER: String(MOST_PARTS),
    });
    const results = await measure(server, file, warmUp);
    const rate = (m: Measured) => file.bytes / MiB / percentile(m.seconds, 50);
    const baseline = results[0] as Measured;
    console.table(
      CONTENDERS.map((contender, i) => {
        const m = results[i] as Measured;
        return {
          contender: contender.name,
          'MiB/s (median)': rate(m).toFixed(0),
          'best MiB/s': (file.bytes / MiB / Math.min(...m.seconds)).toFixed(0),
          'median s': percentile(m.seconds, 50).toFixed(2),
          'CPU ms per upload, server / client': `${percentile(m.serverCpuMs, 50).toFixed(0)} / ${percentile(m.clientCpuMs, 50).toFixed(0)}`,
          'vs one stream': `${(rate(m) / rate(baseline)).toFixed(2)}×`,
        };
      }),
    );
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  } finally {
    await server?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
