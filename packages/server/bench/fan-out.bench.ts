// A new photo by a user with 10,000 followers: how long until every follower's
// `new_photo` notification exists, with one saga worker running the
// notify_followers step (goal: under 2 s). Baseline in the same run: the same
// fan-out one INSERT per follower, as a loop over notify() would do it (on the
// first 2,000 followers: its cost per follower is flat).
// Then the unread count of a user with 10,000 unread notifications about
// photos, through the API, against the bare count of the same rows without the
// visibility check (the floor any count can reach).
//
// On SQLite, then on PostgreSQL (FLICKR_TEST_POSTGRES_URL) where it answers.
//
//   node --conditions=source packages/server/bench/fan-out.bench.ts
//   BENCH_DATABASE=sqlite|postgres ... (one of them only)
import { loadavg } from 'node:os';
import { FAN_OUT_BATCH } from '../src/domain/follower-fan-out.ts';
import { uuidv7 } from '../src/domain/ids.ts';
import { notify } from '../src/domain/notifications.ts';
import { eventually, registerUser, startTestServer } from '../test/harness.ts';
import { startInProcessWorker } from '../test/in-process-worker.ts';
import { photoRecord } from '../test/seed.ts';
import {
  type BenchDatabase,
  connectDirectly,
  createBenchDatabase,
  type DirectSql,
  onEachDatabase,
} from './listing-database.ts';
import { describeMachine } from './machine.ts';
import { median, timed } from './percentiles.ts';

const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? 10_000);
const NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS ?? 10_000);
const GOAL_MS = 2_000;
/** Followers the baseline tells one by one: its cost per follower is flat, and 10,000 take 40 s on PostgreSQL. */
const BASELINE_FOLLOWERS = Math.min(FOLLOWERS, 2_000);
const REPETITIONS = 21;

/** Inserts rows in multi-row statements, all in one transaction. */
async function insertRows(
  sql: DirectSql,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const perBatch = Math.floor(30_000 / columns.length);
  await sql.query('begin');
  for (let at = 0; at < rows.length; at += perBatch) {
    const batch = rows.slice(at, at + perBatch);
    const tuples = batch.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    await sql.query(
      `insert into ${table} (${columns.join(', ')}) values ${tuples}`,
      batch.flatMap((row) => Object.values(row)),
    );
  }
  await sql.query('commit');
}

async function measure(kind: BenchDatabase): Promise<void> {
  const database = await createBenchDatabase(kind);
  // Role `serve`: the one worker measured is started below, alone.
  const server = await startTestServer(
    { FLICKR_WORKER_POLL_MS: '10' },
    { role: 'serve', database },
  );
  const sql = await connectDirectly(server.dataDir, database.url);
  const { store } = server.services;
  try {
    const owner = await registerUser(server.url);
    const createdAt = new Date().toISOString();
    const followerIds = Array.from({ length: FOLLOWERS }, () => uuidv7());
    const [seedMs] = await timed(async () => {
      await insertRows(
        sql,
        'users',
        followerIds.map((id) => ({
          id,
          username: `f${id.replaceAll('-', '').slice(-16)}`,
          password_hash: 'seeded',
          is_admin: 0,
          created_at: createdAt,
        })),
      );
      await insertRows(
        sql,
        'follows',
        followerIds.map((followerId) => ({
          id: uuidv7(),
          follower_id: followerId,
          followee_id: owner.userId,
          created_at: createdAt,
        })),
      );
      if (kind === 'postgres') await sql.query('analyze');
    });

    // The fan-out as the saga runs it: a notify_followers event for a ready photo, one worker.
    const photo = photoRecord(owner.userId, { visibility: 'public' });
    await sql.insertPhotos([photo]);
    const worker = startInProcessWorker(server.services, { concurrency: 1 });
    const [sagaMs] = await timed(async () => {
      const now = new Date().toISOString();
      await store.outbox.enqueue({
        id: uuidv7(),
        photoId: photo.id,
        step: 'notify_followers',
        payload: {},
        availableAt: now,
        createdAt: now,
      });
      server.services.bus.notify();
      await eventually(
        async () =>
          (await store.notifications.countAbout('new_photo', photo.id)) === FOLLOWERS
            ? true
            : undefined,
        60_000,
        'every follower notified',
      );
    });
    await worker.stop(5_000);

    // The baseline: one INSERT per follower.
    const naivePhoto = photoRecord(owner.userId, { visibility: 'public' });
    await sql.insertPhotos([naivePhoto]);
    const [naiveMs] = await timed(async () => {
      for (const recipientId of followerIds.slice(0, BASELINE_FOLLOWERS))
        await notify(store, {
          recipientId,
          kind: 'new_photo',
          actorId: owner.userId,
          photoId: naivePhoto.id,
          subject: naivePhoto.id,
        });
    });

    // The unread count of a user with NOTIFICATIONS unread notifications about public photos.
    const reader = await registerUser(server.url);
    const photos = Array.from({ length: NOTIFICATIONS }, () =>
      photoRecord(owner.userId, { visibility: 'public' }),
    );
    await sql.insertPhotos(photos);
    await insertRows(
      sql,
      'notifications',
      photos.map((p, index) => ({
        id: uuidv7(),
        position: index + 1,
        recipient_id: reader.userId,
        kind: 'photo_favorited',
        subject: p.id,
        actor_id: owner.userId,
        photo_id: p.id,
        created_at: createdAt,
        read_at: null,
      })),
    );
    if (kind === 'postgres') await sql.query('analyze');
    const countOnce = async () => {
      const response = await fetch(`${server.url}/v1/notifications/unread-count`, {
        headers: { authorization: `Bearer ${reader.token}` },
      });
      const { unread } = (await response.json()) as { unread: number };
      if (unread !== NOTIFICATIONS) throw new Error(`unread count ${unread}`);
    };
    const bare =
      'select count(*) as n from notifications where recipient_id = ? and read_at is null';
    const api: number[] = [];
    const repository: number[] = [];
    const floor: number[] = [];
    await countOnce();
    for (let i = 0; i < REPETITIONS; i++) {
      api.push((await timed(countOnce))[0]);
      repository.push((await timed(() => store.notifications.countUnread(reader.userId)))[0]);
      floor.push((await timed(() => sql.query(bare, [reader.userId])))[0]);
    }

    console.log(
      `fan-out (${kind}): ${FOLLOWERS.toLocaleString('en')} followers seeded in ${(seedMs / 1000).toFixed(1)} s; ` +
        `batches of ${FAN_OUT_BATCH}, ON CONFLICT DO NOTHING, each committed on its own; ${describeMachine()}, load average ${loadavg()[0]?.toFixed(1)}`,
    );
    console.table([
      {
        'fan-out': 'saga step, one worker (enqueue → all rows exist)',
        ms: Math.round(sagaMs),
        'per follower µs': ((sagaMs * 1000) / FOLLOWERS).toFixed(1),
      },
      {
        'fan-out': `baseline: one INSERT per follower (${BASELINE_FOLLOWERS.toLocaleString('en')} of them)`,
        ms: Math.round(naiveMs),
        'per follower µs': ((naiveMs * 1000) / BASELINE_FOLLOWERS).toFixed(1),
      },
    ]);
    console.log(
      `saga fan-out ${(naiveMs / BASELINE_FOLLOWERS / (sagaMs / FOLLOWERS)).toFixed(1)}× faster per follower than one INSERT each; ` +
        `goal < ${GOAL_MS} ms: ${sagaMs < GOAL_MS ? 'met' : 'MISSED'}`,
    );
    console.log(
      `unread count (${kind}): ${NOTIFICATIONS.toLocaleString('en')} unread notifications about public photos, ` +
        `p50 of ${REPETITIONS}`,
    );
    console.table([
      { query: 'GET /v1/notifications/unread-count (HTTP)', 'p50 ms': median(api).toFixed(2) },
      {
        query: 'countUnread (visibility checked per row)',
        'p50 ms': median(repository).toFixed(2),
      },
      { query: 'baseline: bare count on the unread index', 'p50 ms': median(floor).toFixed(2) },
    ]);
    console.log(
      `the visibility check costs ${(median(repository) / median(floor)).toFixed(1)}× the bare count`,
    );
  } finally {
    await sql.close();
    await server.destroy();
  }
}

await onEachDatabase('fan-out', measure);
