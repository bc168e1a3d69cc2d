// A deployment of many processes (deployment/deployment.ts): 2 API, 2 worker
// and 2 CDN processes of the real binary on PostgreSQL and S3, driven with
// the SDK and the CLI as users and pipelines drive a real service.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Notification, type Photo, SAGA_STEPS, type SagaStep } from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from '../packages/server/test/postgres-server.ts';
import { createUpload, headUpload, patchUpload } from '../packages/server/test/tus-protocol.ts';
import type { CrashAt, WorkerProcess } from '../packages/server/test/worker-process.ts';
import { cliUser, summaryOf } from './cli/run-cli.ts';
import { type Deployment, startDeployment } from './deployment/deployment.ts';
import { eventually } from './eventually.ts';
import { photo } from './real-server.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const postgres = await postgresReachable();
if (!postgres && process.env.FLICKR_REQUIRE_SERVICES === '1')
  throw new Error('The deployment suite needs PostgreSQL (FLICKR_REQUIRE_SERVICES=1)');
if (!postgres) console.warn('skipping the deployment suite: PostgreSQL does not answer');

/** The same signed URL, asked of another CDN process. */
const at = (url: string, process: { url: string | undefined }) =>
  new URL(new URL(url).pathname + new URL(url).search, process.url).toString();

const statusOf = async (url: string) => {
  const answer = await fetch(url);
  await answer.arrayBuffer();
  return answer.status;
};

describe.skipIf(!postgres)('a deployment: 2 API, 2 worker and 2 CDN processes', () => {
  let deployment: Deployment;
  let scratch: string;

  beforeAll(async () => {
    deployment = await startDeployment();
    scratch = await mkdtemp(join(tmpdir(), 'flickr-deployment-files-'));
  }, 120_000);
  afterAll(async () => {
    await deployment?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('takes an archive pushed by the CLI through API 2 and gives it back through API 1', async () => {
    const alice = await deployment.client(0);
    const archive = join(scratch, 'archive');
    await mkdir(archive, { recursive: true });
    const originals = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      const data = await photo(5100 + i);
      await writeFile(join(archive, `p${i}.jpg`), data);
      originals.set(`p${i}.jpg`, sha256(data));
    }
    const pipeline = (api: number) =>
      cliUser({ FLICKR_SERVER: deployment.apis[api]?.url as string, FLICKR_TOKEN: alice.token });
    const pusher = await pipeline(1);
    const pushed = await pusher.run(['sync', 'push', archive, '--json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(summaryOf(pushed)).toMatchObject({ counts: { uploaded: 4 } });

    // Ready through either API, stored by whichever worker took each step.
    const listed: Photo[] = [];
    for await (const item of alice.photos.list(alice.username)) listed.push(item);
    expect(listed).toHaveLength(4);
    const report = await alice.photos.waitUntilReadyMany(listed.map((item) => item.id));
    expect(report.map((entry) => entry.status)).toEqual(['ready', 'ready', 'ready', 'ready']);

    const puller = await pipeline(0);
    const mirror = join(scratch, 'mirror');
    const pulled = await puller.run(['sync', 'pull', mirror, '--json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    const files = (await readdir(mirror, { recursive: true })).filter((name) =>
      name.endsWith('.jpg'),
    );
    expect(files).toHaveLength(4);
    const pulledHashes = await Promise.all(
      files.map(async (name) => sha256(await readFile(join(mirror, name)))),
    );
    expect(pulledHashes.sort()).toEqual([...originals.values()].sort());
    await Promise.all([pusher.destroy(), puller.destroy()]);
  });

  it('resumes through API 2 an upload begun through API 1', async () => {
    const alice = await deployment.client(0);
    const [first, second] = deployment.apis.map((api) => api.url as string) as [string, string];
    const data = await photo(5200, 800, 600);
    const url = await createUpload(first, alice.token, data);
    const half = Math.floor(data.length / 2);
    expect((await patchUpload(url, alice.token, 0, data.subarray(0, half))).status).toBe(204);

    const there = new URL(new URL(url).pathname, second).toString();
    expect((await headUpload(there, alice.token)).offset).toBe(half);
    const rest = await patchUpload(there, alice.token, half, data.subarray(half));
    expect(rest.status).toBe(200);
    const { photo: accepted } = (await rest.json()) as { photo: Photo };
    const ready = await deployment.clientAt(1, alice.token).photos.waitUntilReady(accepted.id);
    const original = await fetch(ready.originalUrl as string);
    expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(sha256(data));
  });

  it('loses nothing and doubles nothing when workers are SIGKILLed inside every saga step', async () => {
    const alice = await deployment.client(0);
    const bob = await deployment.client(1);
    await bob.follows.follow(alice.username);
    // The workers stop, so the photos wait for the ones that will die in them.
    await Promise.all(deployment.workers.map((worker) => worker.stop()));
    const photoOf = new Map<SagaStep, string>();
    for (const [i, step] of SAGA_STEPS.entries()) {
      const { photo: uploaded } = await alice.uploads.uploadFile(await photo(5400 + i), {
        visibility: 'public',
      });
      photoOf.set(step, uploaded.id);
    }
    // Each photo's step kills the worker running it, after its effects, before its commit.
    let armed: CrashAt[] = SAGA_STEPS.map((step) => ({
      step,
      point: 'before-commit',
      photoId: photoOf.get(step) as string,
    }));
    const crashed: SagaStep[] = [];
    const supervise = async (worker: WorkerProcess): Promise<void> => {
      await worker.exited;
      // Only a worker that died in a step is started again (not one stopped at the end).
      const step = /crashed (\S+)/.exec(worker.stdout())?.[1] as SagaStep | undefined;
      if (!step) return;
      crashed.push(step);
      // The orchestrator starts it again; this step has killed once, so it is disarmed.
      armed = armed.filter((crash) => crash.step !== step);
      void supervise(await deployment.startWorker({ crashes: armed }));
    };
    for (let i = 0; i < 2; i++) void supervise(await deployment.startWorker({ crashes: armed }));

    const ids = [...photoOf.values()];
    const report = await alice.photos.waitUntilReadyMany(ids, { timeoutMs: 90_000 });
    expect(report.map((entry) => entry.status)).toEqual(ids.map(() => 'ready'));
    expect(new Set(crashed)).toEqual(new Set(SAGA_STEPS));

    // Every photo's files once, in the layout, and one notification each for the follower.
    const stored = await deployment.objects('blobs/');
    for (const id of ids) {
      expect(stored.filter((key) => key.includes(id)).map((key) => key.split('/')[3])).toEqual(
        expect.arrayContaining(['original', 'thumbnail']),
      );
    }
    const notified: Notification[] = [];
    for await (const item of bob.notifications.list()) notified.push(item);
    const newPhotos = notified.filter((item) => item.kind === 'new_photo');
    expect(newPhotos.map((item) => item.photoId).sort()).toEqual([...ids].sort());
  }, 150_000);

  it('stops CDN 2 serving a revoked viewer within a second of the revocation through API 1', async () => {
    const alice = await deployment.client(0);
    const bob = await deployment.client(1);
    const { photo: uploaded } = await alice.uploads.uploadFile(await photo(5300), {
      visibility: 'private',
    });
    await alice.photos.waitUntilReady(uploaded.id);
    await alice.shares.grant(bob.username);
    const seen = await bob.photos.get(uploaded.id);
    const thumbnail = seen.renditions.find((rendition) => rendition.name === 'thumbnail');
    const viaCdn2 = at(thumbnail?.url as string, deployment.cdns[1] as { url: string });
    await eventually(
      async () => ((await statusOf(viaCdn2)) === 200 ? true : undefined),
      'CDN 2 serving the granted viewer',
      5_000,
    );

    const revoked = performance.now();
    await deployment.clientAt(0, alice.token).shares.revoke(bob.username);
    await eventually(
      async () => ((await statusOf(viaCdn2)) === 404 ? true : undefined),
      'CDN 2 refusing the revoked viewer',
      5_000,
    );
    const took = performance.now() - revoked;
    console.log(`revocation through API 1 reached CDN 2 in ${took.toFixed(0)} ms`);
    expect(took).toBeLessThan(1000);
  });
});
