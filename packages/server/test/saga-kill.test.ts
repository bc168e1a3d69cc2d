import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAGA_STEPS, type SagaStep } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataStore, SagaAttemptRecord } from '../src/ports/metadata-store.ts';
import { PermanentStepError } from '../src/saga/step-error.ts';
import { STEPS } from '../src/saga/steps.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { sha256, testPhoto, uploadPhoto } from './uploads.ts';
import {
  type CrashPoint,
  exitOf,
  startWorkerProcess,
  type WorkerProcess,
} from './worker-process.ts';

/** Files under a folder, relative to it; `.incoming` (writes in progress) left out. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes('.incoming'))
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/**
 * The store as a worker paused longer than its lease sees it (a GC pause,
 * SIGSTOP, a VM migrated): its lease renewals never land.
 */
function withoutLeaseRenewal(store: MetadataStore): MetadataStore {
  const { outbox } = store;
  return {
    ...store,
    outbox: {
      enqueue: (event) => outbox.enqueue(event),
      claim: (worker, now, leaseUntil) => outbox.claim(worker, now, leaseUntil),
      renew: async () => false,
      complete: (eventId, worker) => outbox.complete(eventId, worker),
      retryLater: (eventId, worker, error, at) => outbox.retryLater(eventId, worker, error, at),
      park: (eventId, worker, error, at) => outbox.park(eventId, worker, error, at),
      unpark: (photoId, now) => outbox.unpark(photoId, now),
      forPhoto: (photoId) => outbox.forPhoto(photoId),
      nextDueAt: () => outbox.nextDueAt(),
    },
  };
}

const count = <T>(items: readonly T[], where: (item: T) => boolean) => items.filter(where).length;

const POINTS: Record<Exclude<CrashPoint, 'mid-fan-out'>, string> = {
  claimed: 'after claiming its event, before the step runs',
  'before-commit': 'after its effects, before its transaction commits',
};

// The steps up to `ready`: the follower fan-out after it has its own crash tests (fan-out-kill.test.ts).
const CASES = SAGA_STEPS.filter((step) => step !== 'notify_followers').flatMap((step) =>
  (Object.keys(POINTS) as (keyof typeof POINTS)[]).map((point) => ({
    step,
    point,
    when: POINTS[point],
  })),
);

/** A lease short enough that a dead worker's step is taken over quickly. */
const SHORT_LEASE_MS = '300';

describe('upload saga with workers that die, race or stall', () => {
  let server: TestServer;
  let token: string;
  let userId: string;
  let seed = 100;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    // API only: the photo waits in `processing` until a worker process takes it.
    server = await startTestServer({ FLICKR_RENDITIONS: 'medium:320:webp' }, { role: 'serve' });
    ({ token, userId } = await registerUser(server.url));
  });
  afterAll(async () => {
    await Promise.all(processes.map((worker) => worker.stop(0)));
    await server?.destroy();
  });

  const spawn = (options: Parameters<typeof startWorkerProcess>[1]) => {
    const worker = startWorkerProcess(server, options);
    processes.push(worker);
    return worker;
  };

  async function uploadProcessing(): Promise<{ photoId: string; data: Buffer; uploadId: string }> {
    const data = await testPhoto(seed++);
    const { photo } = await uploadPhoto(server.url, data, { token });
    expect(photo.status).toBe('processing');
    const [first] = await server.services.store.outbox.forPhoto(photo.id);
    return { photoId: photo.id, data, uploadId: String(first?.payload.uploadId) };
  }

  const statusOf = async (photoId: string) =>
    (await server.services.store.photos.byId(photoId))?.status;

  /** Exactly one set of files per photo, in both stores, with the uploaded bytes as original. */
  async function expectOneSetOfFiles(photoId: string, data: Buffer): Promise<void> {
    const expected = [
      `${userId}/default/medium/${photoId}.webp`,
      `${userId}/default/original/${photoId}.jpg`,
      `${userId}/default/thumbnail/${photoId}.jpg`,
    ];
    for (const store of ['blobs', 'cdn']) {
      const root = join(server.dataDir, store);
      const files = (await filesUnder(root)).filter((file) => file.includes(photoId));
      expect(files, store).toEqual(expected);
      expect(await sha256Of(join(root, expected[1] as string)), store).toBe(sha256(data));
    }
  }

  it.each(CASES)(
    'killed in $step $when: loses nothing and leaves every effect once',
    async ({ step, point }) => {
      const { photoId, data, uploadId } = await uploadProcessing();

      const crashing = spawn({
        env: { FLICKR_SAGA_LEASE_MS: SHORT_LEASE_MS, FLICKR_WORKER_CONCURRENCY: '1' },
        faults: { crash: { step, point, photoId } },
      });
      const exit = await exitOf(crashing);
      expect(exit.signal).toBe('SIGKILL');
      expect(crashing.stdout()).toContain(`crashed ${step} ${point}`);

      // At the crash: the step's event is still in the outbox, claimed once,
      // and nothing of its transaction is visible.
      const { store } = server.services;
      const pending = await store.outbox.forPhoto(photoId);
      expect(pending.map((event) => [event.step, event.attempts, event.parkedAt])).toEqual([
        [step, 1, null],
      ]);
      expect(await statusOf(photoId)).toBe('processing');
      expect(await store.photos.renditions(photoId)).toEqual([]);
      const dead = (await store.sagaAttempts.forPhoto(photoId)).find((a) => a.step === step);
      expect(dead).toMatchObject({ outcome: null, finishedAt: null });
      expect(dead?.worker.split(':')[1]).toBe(String(crashing.pid));

      // A healthy worker takes the step over once the dead worker's lease lapses.
      const worker = startInProcessWorker(server.services, { concurrency: 1 });
      try {
        // Ready, and the saga's last step (the follower fan-out) done too.
        await eventually(
          async () =>
            (await statusOf(photoId)) === 'ready' &&
            (await server.services.store.outbox.forPhoto(photoId)).length === 0
              ? true
              : undefined,
          20_000,
          `photo ready after a crash in ${step}`,
        );
      } finally {
        await worker.stop(5_000);
      }

      const response = await fetch(`${server.url}/v1/photos/${photoId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const photo = (await response.json()) as {
        status: string;
        renditions: { name: string }[];
      };
      expect(photo.status).toBe('ready');
      expect(photo.renditions.map((r) => r.name)).toEqual(['thumbnail', 'medium']);
      expect((await store.photos.renditions(photoId)).length).toBe(2);
      expect(await store.outbox.forPhoto(photoId)).toEqual([]);

      const attempts = await store.sagaAttempts.forPhoto(photoId);
      for (const each of SAGA_STEPS) {
        expect(
          count(attempts, (a) => a.step === each && a.outcome === 'succeeded'),
          each,
        ).toBe(1);
      }
      // The dead worker's attempt is the only one that did not finish, and the
      // same event (its second claim) succeeded after it.
      expect(attempts.filter((a) => a.outcome !== 'succeeded')).toEqual([dead]);
      const retaken = attempts.find((a) => a.step === step && a.outcome === 'succeeded');
      expect(retaken).toMatchObject({ eventId: dead?.eventId, attempt: 2 });
      expect(attempts).toHaveLength(SAGA_STEPS.length + 1);

      await expectOneSetOfFiles(photoId, data);
      // The staged bytes are gone; the upload's record stays (until it expires) to answer retries.
      expect(await filesUnder(join(server.dataDir, 'uploads'))).not.toContainEqual(
        expect.stringContaining(uploadId),
      );
      expect(await store.uploads.byId(uploadId)).toMatchObject({
        outcome: { kind: 'photo', photoId, duplicate: false },
      });
    },
  );

  it('two worker processes never run one step of one photo at once, and finish every photo once', async () => {
    const uploads: Awaited<ReturnType<typeof uploadProcessing>>[] = [];
    for (let i = 0; i < 6; i++) uploads.push(await uploadProcessing());

    // publish_original outlives the lease: only renewal keeps another worker off it.
    const options = {
      env: { FLICKR_SAGA_LEASE_MS: '1000', FLICKR_WORKER_CONCURRENCY: '2' },
      faults: { slow: { step: 'publish_original' as SagaStep, ms: 1_500 } },
      waitForGo: true,
    };
    const workers = [spawn(options), spawn(options)];
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();

    const { store } = server.services;
    try {
      await eventually(
        async () => {
          const statuses = await Promise.all(uploads.map(({ photoId }) => statusOf(photoId)));
          return statuses.every((status) => status === 'ready') ? true : undefined;
        },
        30_000,
        'every photo ready',
      );
    } finally {
      const exits = await Promise.all(workers.map((worker) => worker.stop()));
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    }

    const all: SagaAttemptRecord[] = [];
    for (const { photoId, data, uploadId } of uploads) {
      const attempts = await store.sagaAttempts.forPhoto(photoId);
      all.push(...attempts);
      for (const step of SAGA_STEPS) {
        const ofStep = attempts
          .filter((a) => a.step === step)
          .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
        expect(
          count(ofStep, (a) => a.outcome === 'succeeded'),
          step,
        ).toBe(1);
        for (const [i, attempt] of ofStep.entries()) {
          expect(attempt.finishedAt, `${step} attempt finished`).not.toBeNull();
          const next = ofStep[i + 1];
          if (next)
            expect(
              Date.parse(next.startedAt),
              `${step}: attempt ${next.attempt} (${next.worker}) started while attempt ${attempt.attempt} (${attempt.worker}) ran`,
            ).toBeGreaterThanOrEqual(Date.parse(attempt.finishedAt as string));
        }
      }
      expect((await store.photos.renditions(photoId)).length).toBe(2);
      await expectOneSetOfFiles(photoId, data);
      expect(await server.services.staging.size(uploadId)).toBeUndefined();
    }
    // Both processes took part: the claims really raced.
    const pids = new Set(all.map((attempt) => attempt.worker.split(':')[1]));
    expect([...pids].sort()).toEqual(workers.map((worker) => String(worker.pid)).sort());
  });

  it('a worker that lost its lease while stalled cannot fail a photo another worker finished', async () => {
    const { photoId } = await uploadProcessing();
    const { store } = server.services;
    const isReady = async () => ((await statusOf(photoId)) === 'ready' ? true : undefined);

    // The stalled worker renders nothing: it wakes up after the photo is
    // done elsewhere, and its step fails for good.
    const stalled = startInProcessWorker(server.services, {
      store: withoutLeaseRenewal(store),
      leaseMs: 300,
      concurrency: 1,
      steps: {
        ...STEPS,
        render_renditions: async () => {
          await eventually(isReady, 20_000, 'the other worker to finish the photo');
          throw new PermanentStepError('the decoder crashed');
        },
      },
    });
    let healthy: ReturnType<typeof startInProcessWorker> | undefined;
    let stalledAttempt: SagaAttemptRecord;
    try {
      const claimed = await eventually(async () =>
        (await store.sagaAttempts.forPhoto(photoId)).find((a) => a.step === 'render_renditions'),
      );
      healthy = startInProcessWorker(server.services, { concurrency: 1 });
      await eventually(isReady, 20_000, 'photo ready');
      stalledAttempt = await eventually(async () => {
        const attempts = await store.sagaAttempts.forPhoto(photoId);
        return attempts.find((a) => a.id === claimed.id && a.outcome !== null);
      });
      await eventually(async () =>
        (await store.outbox.forPhoto(photoId)).length === 0 ? true : undefined,
      );
    } finally {
      await stalled.stop(5_000);
      await healthy?.stop(5_000);
    }

    const photo = await store.photos.byId(photoId);
    expect(photo).toMatchObject({ status: 'ready', statusReason: null });
    expect(await store.outbox.forPhoto(photoId)).toEqual([]);
    // Its failure is recorded as what it was: a run that lost its lease.
    expect(stalledAttempt).toMatchObject({
      outcome: 'retrying',
      error: 'lease lost: the decoder crashed',
    });
    const attempts = await store.sagaAttempts.forPhoto(photoId);
    expect(count(attempts, (a) => a.step === 'finalize' && a.outcome === 'succeeded')).toBe(1);
  });

  it('a stalled step cannot fail a photo whose step a sibling loop of the same worker took over', async () => {
    const { photoId } = await uploadProcessing();
    const { store } = server.services;
    const renders = async () =>
      (await store.sagaAttempts.forPhoto(photoId)).filter((a) => a.step === 'render_renditions');
    let runs = 0;
    const worker = startInProcessWorker(server.services, {
      store: withoutLeaseRenewal(store),
      leaseMs: 300,
      concurrency: 2,
      steps: {
        ...STEPS,
        render_renditions: async (context, photo, event) => {
          if (++runs === 1) {
            // Stalls past its lease until the other loop has taken the step over, then fails for good.
            await eventually(async () => ((await renders()).length === 2 ? true : undefined));
            throw new PermanentStepError('the decoder crashed');
          }
          await eventually(async () => ((await renders())[0]?.outcome ? true : undefined));
          return STEPS.render_renditions(context, photo, event);
        },
      },
    });
    try {
      await eventually(
        async () => ((await statusOf(photoId)) === 'processing' ? undefined : true),
        20_000,
        'the saga to settle',
      );
    } finally {
      await worker.stop(5_000);
    }

    expect(await store.photos.byId(photoId)).toMatchObject({ status: 'ready', statusReason: null });
    expect((await renders()).map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, 'retrying', 'lease lost: the decoder crashed'],
      [2, 'succeeded', null],
    ]);
  });
});
