// tus upload throughput with the checksum extension on (`Upload-Checksum`
// with every PATCH: sha1, sha256, md5) against off, on the same files in the
// same run: 20 files of 10 MiB one after another, and one of 200 MiB. One
// server process (role `serve`: the API without the saga worker), so every
// contender meets the same warm process and disk; a raw client in this
// process (tus-js-client sends no checksums) streams each PATCH from disk.
// A client hashes a chunk before it sends it (the header comes first): that
// is the client's cost, so the digests are computed before the clock starts
// and their cost is printed apart. The server hashes each body twice with a
// checksum (the request's algorithm, and the SHA-256 of the whole upload it
// always computes as bytes arrive), once without. Rounds alternate between
// contenders, each as a new user (so every upload is a new photo), and what
// the server received is deleted after each.
//
//   node --conditions=source packages/server/bench/tus-checksum.bench.ts
//   BENCH_CHECKSUM_ROUNDS=5 BENCH_CHECKSUM_CHUNK_MB=16 ... (the defaults)
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { ChecksumAlgorithm } from '../src/domain/upload-checksum.ts';
import { registerUser } from '../test/harness.ts';
import {
  type ChunkedFile,
  checksummedUpload,
  chunkFile,
  closeConnections,
} from './checksummed-upload.ts';
import { describeMachine } from './machine.ts';
import { type GeneratedFile, writeNoisePng } from './noise-png-file.ts';
import { percentile } from './percentiles.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const MiB = 2 ** 20;
const ROUNDS = Number(process.env.BENCH_CHECKSUM_ROUNDS ?? 5);
/** Bytes per PATCH: the SDK's chunk size. A 10 MiB file goes in one. */
const CHUNK_BYTES = Number(process.env.BENCH_CHECKSUM_CHUNK_MB ?? 16) * MiB;
const TARGET_SHARE = 0.9;

/** Off first: it is the baseline. */
const CONTENDERS: (ChecksumAlgorithm | undefined)[] = [undefined, 'sha1', 'sha256', 'md5'];
const label = (algorithm: ChecksumAlgorithm | undefined) =>
  algorithm ? `Upload-Checksum ${algorithm}` : 'no checksum (baseline)';

interface FileSet {
  name: string;
  files: GeneratedFile[];
}

interface Measured {
  seconds: number[];
  serverCpuMs: number[];
}

const config = loadConfig();

async function discardReceivedFiles(server: ServerProcess): Promise<void> {
  const dir = join(server.dataDir, 'uploads');
  const names = await readdir(dir).catch(() => []);
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
}

/** Each file's chunks with each contender's checksums; and what computing them cost per MiB. */
async function prepare(sets: FileSet[]) {
  const chunked = new Map<ChecksumAlgorithm | undefined, Map<GeneratedFile, ChunkedFile>>();
  const clientMsPerMiB = new Map<ChecksumAlgorithm | undefined, number>();
  for (const algorithm of CONTENDERS) {
    const files = new Map<GeneratedFile, ChunkedFile>();
    let bytes = 0;
    const started = performance.now();
    for (const file of sets.flatMap((set) => set.files)) {
      files.set(file, await chunkFile(file.path, file.bytes, CHUNK_BYTES, algorithm));
      bytes += file.bytes;
    }
    chunked.set(algorithm, files);
    if (algorithm) clientMsPerMiB.set(algorithm, (performance.now() - started) / (bytes / MiB));
  }
  return { chunked, clientMsPerMiB };
}

async function measureSet(
  server: ServerProcess,
  set: FileSet,
  chunked: Map<ChecksumAlgorithm | undefined, Map<GeneratedFile, ChunkedFile>>,
): Promise<Measured[]> {
  const users = await Promise.all(
    Array.from({ length: CONTENDERS.length * (ROUNDS + 1) }, () => registerUser(server.url)),
  );
  const results = CONTENDERS.map((): Measured => ({ seconds: [], serverCpuMs: [] }));
  // Round -1 warms up (JIT, connections, the first database writes) and is not counted.
  for (let round = -1; round < ROUNDS; round++) {
    for (let k = 0; k < CONTENDERS.length; k++) {
      const i = (Math.max(0, round) + k) % CONTENDERS.length;
      const files = chunked.get(CONTENDERS[i]) as Map<GeneratedFile, ChunkedFile>;
      const { token } = users.pop() as { token: string };
      const cpuBefore = await server.cpuMs();
      const started = performance.now();
      for (const file of set.files)
        await checksummedUpload(server.url, token, files.get(file) as ChunkedFile);
      const seconds = (performance.now() - started) / 1000;
      const cpu = (await server.cpuMs()) - cpuBefore;
      await discardReceivedFiles(server);
      if (round < 0) continue;
      results[i]?.seconds.push(seconds);
      results[i]?.serverCpuMs.push(cpu);
    }
  }
  return results;
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-checksum-'));
  let server: ServerProcess | undefined;
  try {
    const started = performance.now();
    const small: GeneratedFile[] = [];
    for (let i = 0; i < 20; i++)
      small.push(await writeNoisePng(join(scratch, `small-${i}.png`), 10));
    const large = await writeNoisePng(join(scratch, 'large.png'), 200);
    const sets: FileSet[] = [
      { name: '20 × 10 MiB', files: small },
      { name: `1 × ${Math.round(large.bytes / MiB)} MiB`, files: [large] },
    ];
    console.log(
      'tus upload with Upload-Checksum on every PATCH against none: the same noise PNGs (20 of 10 MiB, ' +
        `then one of 200 MiB), ${CHUNK_BYTES / MiB} MiB per PATCH, one upload at a time, to one server process ` +
        `(role serve) over loopback; median of ${ROUNDS} rounds after a warm-up round, contenders alternating, ` +
        'each round a new user, received files deleted after each. Client and server share the cores.',
    );
    console.log(describeMachine());
    const { chunked, clientMsPerMiB } = await prepare(sets);
    server = await startServerProcess('serve', {
      FLICKR_MAX_UPLOAD_BYTES: String(Math.max(config.maxUploadBytes, large.bytes)),
      FLICKR_PIXEL_LIMIT: String(Math.max(config.pixelLimit, large.width * large.height)),
      FLICKR_FREE_TIER_PHOTOS: '100000',
    });

    const verdicts: string[] = [];
    for (const set of sets) {
      const results = await measureSet(server, set, chunked);
      const bytes = set.files.reduce((sum, file) => sum + file.bytes, 0);
      const rate = (m: Measured) => bytes / MiB / percentile(m.seconds, 50);
      const baseline = results[0] as Measured;
      console.log(`\n${set.name} (${(bytes / MiB).toFixed(0)} MiB per round)`);
      console.table(
        CONTENDERS.map((algorithm, i) => {
          const m = results[i] as Measured;
          return {
            contender: label(algorithm),
            'MiB/s (median)': rate(m).toFixed(0),
            'best MiB/s': (bytes / MiB / Math.min(...m.seconds)).toFixed(0),
            'server CPU ms per MiB': (percentile(m.serverCpuMs, 50) / (bytes / MiB)).toFixed(2),
            'vs baseline': `${(rate(m) / rate(baseline)).toFixed(2)}×`,
          };
        }),
      );
      for (const [i, algorithm] of CONTENDERS.entries()) {
        if (!algorithm) continue;
        const share = rate(results[i] as Measured) / rate(baseline);
        verdicts.push(
          `${set.name}, ${algorithm}: ${share.toFixed(2)}× the throughput without a checksum ` +
            `(target ≥ ${TARGET_SHARE}): ${share >= TARGET_SHARE ? 'met' : 'MISSED'}`,
        );
      }
    }
    console.log(
      `\nThe client's own cost, before the clock: ${[...clientMsPerMiB]
        .map(([algorithm, ms]) => `${algorithm} ${ms.toFixed(2)} ms per MiB`)
        .join(', ')} (reading the file from the page cache included).`,
    );
    for (const verdict of verdicts) console.log(verdict);
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  } finally {
    await server?.stop();
    closeConnections();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
