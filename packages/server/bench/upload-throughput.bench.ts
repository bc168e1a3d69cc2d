// Upload throughput of one large file over loopback through the tus endpoint
// (authentication, tus state in the database, streaming SHA-256, the pivot's
// probe and transaction), against a plain HTTP PUT of the same bytes into a
// minimal Fastify sink that hashes and writes them to a file on the same
// disk. Each server runs in a process of its own, role `serve` (no saga
// worker), so its peak RSS is its own; the clients (tus-js-client and
// node:http) run in this process and both stream the file from disk. Rounds
// alternate between the contenders, and each received file is deleted after
// its round, so that page-cache write-back does not slow later rounds.
// A fresh set of processes per file size shows whether peak RSS grows with it.
//
//   node --conditions=source packages/server/bench/upload-throughput.bench.ts
//   BENCH_UPLOAD_MB=200 BENCH_UPLOAD_ROUNDS=5 ... (the defaults)
//   BENCH_CPU_PROF=/tmp/prof ... (a CPU profile of each server process)
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../src/config.ts';
import { registerUser } from '../test/harness.ts';
import { SINK_PATH } from './hashing-sink.ts';
import { describeMachine } from './machine.ts';
import { type GeneratedFile, writeNoisePng } from './noise-png-file.ts';
import { percentile } from './percentiles.ts';
import { type ProcessKind, type ServerProcess, startServerProcess } from './server-process.ts';
import { tusUpload } from './tus-upload.ts';

const MiB = 2 ** 20;
const LARGE_MIB = Number(process.env.BENCH_UPLOAD_MB ?? 200);
const SMALL_MIB = Math.max(1, Math.round(LARGE_MIB / 4));
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 5);
/** The smaller file is only there to show whether peak RSS grows with the file. */
const SMALL_ROUNDS = 2;
const SDK_CHUNK_BYTES = 16 * MiB;
const TARGET_SHARE_OF_SINK = 0.8;
// The server processes' own settings (environment or defaults), raised only as far as the file needs.
const config = loadConfig();

/** One way of sending a file to a freshly started process. */
interface Contender {
  name: string;
  kind: ProcessKind;
  /** Work done before the clock starts (registering the uploading user). */
  prepare(
    server: ServerProcess,
    rounds: number,
  ): Promise<(file: GeneratedFile, round: number) => Promise<void>>;
}

const agent = new http.Agent({ keepAlive: true });

/** A plain HTTP PUT of a file, streamed from disk. */
function putFile(url: string, file: GeneratedFile): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'PUT',
        agent,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(file.bytes),
        },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          const { sha256 } = JSON.parse(body) as { sha256?: string };
          if (response.statusCode === 200 && sha256 === file.sha256) resolve();
          else reject(new Error(`sink answered ${response.statusCode}: ${body}`));
        });
      },
    );
    request.on('error', reject);
    pipeline(createReadStream(file.path), request).catch(reject);
  });
}

/** tus through the real client; each round as a new user, so each upload is a new photo. */
const tusContender = (
  name: string,
  settings: { chunkSize?: number; uploadDataDuringCreation?: boolean },
): Contender => ({
  name,
  kind: 'serve',
  prepare: async (server, rounds) => {
    const users = await Promise.all(
      Array.from({ length: rounds + 1 }, () => registerUser(server.url)),
    );
    return async (file, round) => {
      const user = users[round + 1] as { token: string };
      const result = await tusUpload(server.url, file.path, {
        token: user.token,
        sha256: file.sha256,
        filename: 'noise.png',
        ...settings,
      });
      if (result.duplicate) throw new Error('the upload was taken for a duplicate');
    };
  },
});

const CONTENDERS: Contender[] = [
  {
    name: 'plain PUT into a hashing sink (baseline)',
    kind: 'sink',
    prepare: async (server) => (file, round) =>
      putFile(`${server.url}${SINK_PATH}/upload-${round}`, file),
  },
  tusContender('tus, one PATCH (tus-js-client default)', {}),
  tusContender('tus, 16 MiB chunks, first with the POST (SDK)', {
    chunkSize: SDK_CHUNK_BYTES,
    uploadDataDuringCreation: true,
  }),
];

interface Measured {
  seconds: number[];
  /** CPU time the server process spent on each upload (main thread, thread pool, kernel). */
  serverCpuMs: number[];
  /** CPU time this process (the client) spent on each upload. */
  clientCpuMs: number[];
  /** Resident set after start-up and the warm-up upload. */
  idleRssMiB: number;
  /** Peak resident set during the measured uploads. */
  peakRssMiB: number;
  /** Whether the peak is the uploads' own (false: since the process started). */
  ownPeak: boolean;
}

/**
 * Deletes what a server received, as the saga does once it has stored an
 * upload: otherwise the dirty pages of earlier rounds pile up, and their
 * write-back slows every later round, whichever contender runs it.
 */
async function discardReceivedFiles(server: ServerProcess): Promise<void> {
  for (const folder of ['sink', 'uploads']) {
    const dir = join(server.dataDir, folder);
    const names = await readdir(dir).catch(() => []);
    await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
  }
}

/** Starts one process per contender, alternates their rounds, then reads their peak RSS. */
async function measureSize(
  file: GeneratedFile,
  warmUp: GeneratedFile,
  rounds: number,
): Promise<Measured[]> {
  const env = {
    FLICKR_MAX_UPLOAD_BYTES: String(Math.max(config.maxUploadBytes, file.bytes)),
    FLICKR_PIXEL_LIMIT: String(Math.max(config.pixelLimit, file.width * file.height)),
  };
  const servers = await Promise.all(CONTENDERS.map((c) => startServerProcess(c.kind, env)));
  try {
    const sends = await Promise.all(
      CONTENDERS.map((c, i) => c.prepare(servers[i] as ServerProcess, rounds)),
    );
    // A small upload first: JIT, connections, the first database writes.
    for (const send of sends) await send(warmUp, -1);
    const results: Measured[] = [];
    for (const server of servers) {
      await server.resetPeakRss();
      const { currentRssKiB } = await server.usage();
      results.push({
        seconds: [],
        serverCpuMs: [],
        clientCpuMs: [],
        idleRssMiB: currentRssKiB / 1024,
        peakRssMiB: 0,
        ownPeak: false,
      });
    }
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < CONTENDERS.length; k++) {
        const i = (round + k) % CONTENDERS.length;
        const server = servers[i] as ServerProcess;
        const result = results[i] as Measured;
        const cpuBefore = await server.cpuMs();
        const clientBefore = process.cpuUsage();
        const started = performance.now();
        await (sends[i] as (typeof sends)[number])(file, round);
        result.seconds.push((performance.now() - started) / 1000);
        const client = process.cpuUsage(clientBefore);
        result.clientCpuMs.push((client.user + client.system) / 1000);
        result.serverCpuMs.push((await server.cpuMs()) - cpuBefore);
        await discardReceivedFiles(server);
      }
    }
    for (const [i, server] of servers.entries()) {
      const { peakRssKiB, resettable } = await server.usage();
      Object.assign(results[i] as Measured, { peakRssMiB: peakRssKiB / 1024, ownPeak: resettable });
    }
    return results;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-upload-'));
  try {
    const started = performance.now();
    const warmUp = await writeNoisePng(join(scratch, 'warm-up.png'), 1);
    const small = await writeNoisePng(join(scratch, 'small.png'), SMALL_MIB);
    const large = await writeNoisePng(join(scratch, 'large.png'), LARGE_MIB);
    console.log(
      `upload throughput: one ${(large.bytes / MiB).toFixed(0)} MiB file (a ${large.width}×${large.height} noise PNG, ` +
        `stored uncompressed), then a fresh set of processes for a ${(small.bytes / MiB).toFixed(0)} MiB one; ` +
        `median of ${ROUNDS} rounds after a 1 MiB warm-up, contenders alternating, received files deleted after each round. ` +
        'Each server in its own process (tus: role serve, no saga worker), both clients in this one, streaming the same ' +
        'file from disk over loopback; one PATCH is the like-for-like comparison with one PUT, 16 MiB chunks are what ' +
        `the SDK sends (${Math.ceil(large.bytes / SDK_CHUNK_BYTES)} requests). Client, server and kernel share the cores, ` +
        'so CPU spent on either side lowers throughput: the CPU column says where it went.',
    );
    console.log(describeMachine());

    const atSmall = await measureSize(small, warmUp, SMALL_ROUNDS);
    const atLarge = await measureSize(large, warmUp, ROUNDS);
    const rate = (m: Measured, file: GeneratedFile) => file.bytes / MiB / percentile(m.seconds, 50);
    const baseline = atLarge[0] as Measured;
    console.table(
      CONTENDERS.map((contender, i) => {
        const m = atLarge[i] as Measured;
        return {
          contender: contender.name,
          [`MiB/s (${(large.bytes / MiB).toFixed(0)} MiB, median)`]: rate(m, large).toFixed(0),
          'best MiB/s': (large.bytes / MiB / Math.min(...m.seconds)).toFixed(0),
          'median s': percentile(m.seconds, 50).toFixed(2),
          'CPU ms per upload, server / client': `${percentile(m.serverCpuMs, 50).toFixed(0)} / ${percentile(m.clientCpuMs, 50).toFixed(0)}`,
          'vs baseline': `${(rate(m, large) / rate(baseline, large)).toFixed(2)}×`,
        };
      }),
    );
    console.table(
      CONTENDERS.map((contender, i) => {
        const s = atSmall[i] as Measured;
        const l = atLarge[i] as Measured;
        return {
          'server process': contender.name,
          'RSS MiB before': `${s.idleRssMiB.toFixed(0)} / ${l.idleRssMiB.toFixed(0)}`,
          [`peak MiB, ${(small.bytes / MiB).toFixed(0)} / ${(large.bytes / MiB).toFixed(0)} MiB file`]: `${s.peakRssMiB.toFixed(0)} / ${l.peakRssMiB.toFixed(0)}`,
          'peak over before': `+${(s.peakRssMiB - s.idleRssMiB).toFixed(0)} / +${(l.peakRssMiB - l.idleRssMiB).toFixed(0)}`,
          'peak, large vs small': `${l.peakRssMiB - s.peakRssMiB >= 0 ? '+' : ''}${(l.peakRssMiB - s.peakRssMiB).toFixed(0)} MiB`,
        };
      }),
    );
    console.log(
      atLarge.every((m) => m.ownPeak)
        ? 'RSS: /proc/self/status in each server process; "before" is after start-up and a 1 MiB warm-up upload, ' +
            'the peak is VmHWM since then (reset through /proc/self/clear_refs)'
        : 'RSS: the peak could not be reset here, so it is the peak since each process started',
    );
    for (const [i, contender] of CONTENDERS.entries()) {
      if (i === 0) continue;
      const share = rate(atLarge[i] as Measured, large) / rate(baseline, large);
      console.log(
        `${contender.name}: ${share.toFixed(2)}× the sink's throughput ` +
          `(target ≥ ${TARGET_SHARE_OF_SINK}): ${share >= TARGET_SHARE_OF_SINK ? 'met' : 'MISSED'}`,
      );
    }
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    agent.destroy();
  }
}

await main();
