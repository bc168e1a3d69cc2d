// Thumbnail delivery through the CDN tier under load, against @fastify/static
// serving the very same files, and against nginx (one worker, sendfile,
// open_file_cache: what operators put in front of files), in the same run. The CDN tier checks
// a signature, an expiry and (cached for a second) the viewer's access on
// every request; @fastify/static checks nothing, so it is the ceiling.
//
// The servers run in this process, one at a time under load; autocannon runs
// in a child process, so on a two-core machine each gets a core of its own.
//
//   node --conditions=source packages/server/bench/cdn.bench.ts
//   BENCH_CDN_SECONDS=10 BENCH_CDN_CONNECTIONS=64 ... (the defaults)
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { startCdnFixture } from './cdn-fixture.ts';
import type { LoadResult, LoadSpec } from './cdn-load-generator.ts';
import { startNginx } from './nginx-files.ts';

const SECONDS = Number(process.env.BENCH_CDN_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const CONNECTIONS = Number(process.env.BENCH_CDN_CONNECTIONS ?? 64);
const PUBLIC_PHOTOS = 300;
const PRIVATE_PHOTOS = 100;
const TARGET_SHARE_OF_STATIC = 0.7;
const TARGET_P99_MS = 20;
const TARGET_SHARE_OF_NGINX = 0.5;

const run = promisify(execFile);
const generator = fileURLToPath(new URL('./cdn-load-generator.ts', import.meta.url));

/** What a load run measured, the CPU the server (this process) spent on each request, and how many the CDN route answered. */
interface Measured extends LoadResult {
  cpuMicrosPerRequest: number;
  routed: number;
}

/** Counts the requests that reach the CDN tier's Fastify route: those its hot path declined. */
let routed = 0;

/** Loads a server from a child process: a short warm-up (JIT, file cache, access cache), then the measurement. */
async function load(
  url: string,
  paths: string[],
  scratch: string,
  cpuMicros: () => Promise<number> = async () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
): Promise<Measured> {
  const measure = async (seconds: number) => {
    const spec: LoadSpec = { url, paths, connections: CONNECTIONS, seconds };
    const file = join(scratch, 'spec.json');
    await writeFile(file, JSON.stringify(spec));
    const { stdout } = await run(process.execPath, [generator, file], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as LoadResult;
  };
  await measure(WARM_UP_SECONDS);
  // The load generator runs in a child process, so this process's CPU time is the server's
  // (nginx's is read from its own process):
  // a figure that moves far less with other work on a shared machine than latency does.
  const before = await cpuMicros();
  routed = 0;
  const result = await measure(SECONDS);
  const used = (await cpuMicros()) - before;
  return { ...result, cpuMicrosPerRequest: used / result.total, routed };
}

async function main(): Promise<void> {
  const started = performance.now();
  const fixture = await startCdnFixture(PUBLIC_PHOTOS, PRIVATE_PHOTOS);
  // The route asks for the access verdict on every request it answers.
  const access = fixture.server.services.cdnAccess;
  const allows = access.allows.bind(access);
  access.allows = (photoId, viewer) => {
    routed++;
    return allows(photoId, viewer);
  };
  const scratch = await mkdtemp(join(tmpdir(), 'bench-cdn-'));
  const baseline = Fastify({ logger: false });
  await baseline.register(fastifyStatic, {
    root: fixture.root,
    maxAge: '365d',
    immutable: true,
  });
  const staticUrl = await baseline.listen({ host: '127.0.0.1', port: 0 });
  // What Fastify itself costs on this machine: one thumbnail's bytes from memory, no checks.
  // Not a baseline for the ratio, a floor for the latency: no Fastify route answers faster.
  const floor = Fastify({ logger: false });
  const floorBody = await readFile(join(fixture.root, fixture.publicKeys[0] as string));
  floor.get('/*', async (_request, reply) => reply.type('image/jpeg').send(floorBody));
  const floorUrl = await floor.listen({ host: '127.0.0.1', port: 0 });
  const nginx = await startNginx(fixture.root, join(scratch, 'nginx'));
  if (!nginx)
    console.log('nginx is not installed (apt-get install nginx-light): its row is left out');
  try {
    console.log(
      `cdn: ${PUBLIC_PHOTOS} public + ${PRIVATE_PHOTOS} private photos, one thumbnail-core thumbnail each ` +
        `(${(fixture.bytes / (PUBLIC_PHOTOS + PRIVATE_PHOTOS) / 1024).toFixed(1)} KiB on average), ` +
        `set up in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `${CONNECTIONS} connections, ${WARM_UP_SECONDS} s warm-up + ${SECONDS} s each, ` +
        'autocannon in a child process, servers in this one (2 cores: one each). ' +
        'The CDN tier keeps small files in memory (http/cdn/published-files.ts) and answers cached ones ahead of Fastify (http/cdn/cdn-fast-path.ts); ' +
        '@fastify/static opens and streams each file from disk, as the CDN tier did before',
    );
    const results: [string, Measured][] = [
      [
        '@fastify/static, same files (baseline)',
        await load(
          staticUrl,
          fixture.publicKeys.map((key) => `/${key}`),
          scratch,
        ),
      ],
      [
        'bare Fastify, one file from memory (floor)',
        await load(
          floorUrl,
          fixture.publicKeys.map((key) => `/${key}`),
          scratch,
        ),
      ],
      ...(nginx
        ? ([
            [
              'nginx, same files (1 worker, sendfile, open_file_cache)',
              await load(
                nginx.url,
                fixture.publicKeys.map((key) => `/${key}`),
                scratch,
                nginx.cpuMicros,
              ),
            ],
          ] as [string, Measured][])
        : []),
      ['CDN tier, public (viewer -)', await load(fixture.server.url, fixture.publicPaths, scratch)],
      [
        'CDN tier, private (granted viewer)',
        await load(fixture.server.url, fixture.privatePaths, scratch),
      ],
    ];
    const base = results[0]?.[1] as Measured;
    console.table(
      results.map(([contender, r]) => ({
        contender,
        'requests/s': Math.round(r.requestsPerSecond),
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        'max ms': r.max,
        'server CPU µs/request': Math.round(r.cpuMicrosPerRequest),
        // Requests the hot path declined during the measurement: each took the full route and its awaits.
        'via route': contender.startsWith('CDN tier') ? r.routed : '',
        'MiB/s': (r.bytesPerSecond / 2 ** 20).toFixed(1),
        'non-2xx / errors': `${r.non2xx} / ${r.errors + r.timeouts}`,
        'vs baseline': `${(r.requestsPerSecond / base.requestsPerSecond).toFixed(2)}×`,
      })),
    );
    const nginxResult = results.find(([contender]) => contender.startsWith('nginx'))?.[1];
    for (const [contender, r] of results.filter(([name]) => name.startsWith('CDN tier'))) {
      const share = r.requestsPerSecond / base.requestsPerSecond;
      const met = share >= TARGET_SHARE_OF_STATIC && r.p99 < TARGET_P99_MS;
      console.log(
        `${contender}: ${share.toFixed(2)}× @fastify/static's throughput (target ≥ ${TARGET_SHARE_OF_STATIC}), ` +
          `p99 ${r.p99} ms (target < ${TARGET_P99_MS} ms): ${met ? 'met' : 'MISSED'}`,
      );
      if (nginxResult) {
        const ofNginx = r.requestsPerSecond / nginxResult.requestsPerSecond;
        console.log(
          `${contender}: ${ofNginx.toFixed(2)}× nginx's throughput (target ≥ ${TARGET_SHARE_OF_NGINX}): ` +
            `${ofNginx >= TARGET_SHARE_OF_NGINX ? 'met' : 'MISSED'}`,
        );
      }
    }
  } finally {
    await baseline.close();
    await floor.close();
    await nginx?.stop();
    await fixture.server.destroy();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
