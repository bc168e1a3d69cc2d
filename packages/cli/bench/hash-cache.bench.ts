// flickr-cli over an archive of 100,000 files (BENCH_ARCHIVE_FILES changes
// it), twice: the first run hashes every file, the second finds them all in
// the hash cache and must read none. Both are `upload --dry-run`, so both
// also ask the server about every hash (100 requests of 1,000); the bytes
// read are the CLI process's own (/proc/self/io), not this benchmark's.
//
//   node --conditions=source packages/cli/bench/hash-cache.bench.ts
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../../sdk/bench/bench-server.ts';
import { describeMachine } from '../../server/bench/machine.ts';
import { buildCli, ciEnvironment, runCli } from './run-cli.ts';

const COUNT = Number(process.env.BENCH_ARCHIVE_FILES ?? 100_000);
const FILE_BYTES = 4096;
const PER_FOLDER = 1000;

async function main(): Promise<void> {
  buildCli();
  const work = await mkdtemp(join(tmpdir(), 'cli-cache-'));
  const server = await startServerProcess();
  try {
    const archive = join(work, 'archive');
    let started = performance.now();
    const content = Buffer.alloc(FILE_BYTES);
    for (let i = 0; i < COUNT; i++) {
      if (i % PER_FOLDER === 0)
        await mkdir(join(archive, `folder-${i / PER_FOLDER}`), { recursive: true });
      content.writeUInt32BE(i, 0);
      await writeFile(
        join(archive, `folder-${Math.floor(i / PER_FOLDER)}`, `photo-${i}.jpg`),
        content,
      );
    }
    console.log(
      `hash cache: ${COUNT.toLocaleString('en-US')} files of ${FILE_BYTES / 1024} KiB in ${COUNT / PER_FOLDER} folders (written in ${((performance.now() - started) / 1000).toFixed(1)} s); flickr-cli upload -r --dry-run twice, the server in its own process`,
    );
    console.log(describeMachine());
    const env = await ciEnvironment(server.url, 'archive', work);
    const args = ['upload', '-r', archive, '--dry-run', '--json'];
    started = performance.now();
    const cold = await runCli(args, env);
    const warm = await runCli(args, env);
    if (cold.code !== 0 || warm.code !== 0)
      throw new Error(`dry run failed:\n${cold.stdout.slice(-500)}`);
    const archiveBytes = COUNT * FILE_BYTES;
    const mib = (bytes: number | null) => (bytes === null ? 'n/a' : (bytes / 2 ** 20).toFixed(1));
    console.table([
      {
        run: 'first (cold cache: hashes every file)',
        seconds: cold.seconds.toFixed(1),
        'MiB read by the CLI': mib(cold.readBytes),
        'peak RSS MiB': cold.peakRssMiB.toFixed(0),
      },
      {
        run: 'second (unchanged files)',
        seconds: warm.seconds.toFixed(1),
        'MiB read by the CLI': mib(warm.readBytes),
        'peak RSS MiB': warm.peakRssMiB.toFixed(0),
      },
    ]);
    // The cold run read every photo; the warm one should have read next to none of them.
    const spared =
      cold.readBytes === null || warm.readBytes === null ? null : cold.readBytes - warm.readBytes;
    console.log(
      `second run: ${(cold.seconds / warm.seconds).toFixed(1)}× faster; read ${mib(warm.readBytes)} MiB in all (code, the cache file) against the first run's ${mib(cold.readBytes)} MiB, of which ${mib(archiveBytes)} MiB are photos: ${spared === null ? 'not measurable here' : spared >= archiveBytes * 0.95 ? 'met (no photo read again)' : 'MISSED (it read photos again)'}`,
    );
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
