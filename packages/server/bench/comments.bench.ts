// Listing a photo's comments 100 a page, oldest first and newest first, from
// page 1 to page 100 and beyond: the API's keyset cursors against OFFSET
// paging of the same depth, in the same run on the same database. The photo
// has 20,000 comments, among 20,000 more on 200 other photos of the same
// owner, so each page is read from an index shared with other conversations.
//
// On SQLite, then on PostgreSQL (FLICKR_TEST_POSTGRES_URL) where it answers.
//
//   node --conditions=source packages/server/bench/comments.bench.ts
//   BENCH_DATABASE=sqlite|postgres ... (one of them only)
//   BENCH_COMMENTS=20000 ... (comments on the photo listed)
import { uuidv7 } from '../src/domain/ids.ts';
import { registerUser, startTestServer } from '../test/harness.ts';
import { photoRecord } from '../test/seed.ts';
import {
  type BenchDatabase,
  connectDirectly,
  createBenchDatabase,
  onEachDatabase,
} from './listing-database.ts';
import { describeMachine } from './machine.ts';
import { median, timed } from './percentiles.ts';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 20_000);
const OTHER_PHOTOS = 200;
const OTHER_COMMENTS = 100;
const PAGE = 100;
const DEPTHS = [1, 10, 50, 100, 200].filter((depth) => (depth - 1) * PAGE < COMMENTS);
const DEEPEST = Math.max(...DEPTHS);
const REPETITIONS = 11;
const ORDERS = ['oldest', 'newest'] as const;

const ms = (value: number) => (value < 0.01 ? '<0.01' : value.toFixed(2));

/** Comments on photos, `count` each a second apart from `start`; ids follow time across photos. */
function commentRows(
  photos: readonly { id: string; count: number; start: number }[],
  authorId: string,
) {
  const written = photos
    .flatMap(({ id, count, start }) =>
      Array.from({ length: count }, (_, i) => ({ photoId: id, n: i + 1, at: start + i * 1000 })),
    )
    .sort((a, b) => a.at - b.at);
  // Ids made in time order, as the server makes them (UUIDv7, increasing in one process).
  return written.map(({ photoId, n, at }) => ({
    id: uuidv7(),
    photo_id: photoId,
    author_id: authorId,
    text: `comment ${n}: a few words about the light, the water and the hills behind`,
    created_at: new Date(at).toISOString(),
    edited_at: null,
  }));
}

async function measure(kind: BenchDatabase): Promise<void> {
  const database = await createBenchDatabase(kind);
  // Role `serve`: the API without a saga worker polling beside the measurements.
  const server = await startTestServer({}, { role: 'serve', database });
  const sql = await connectDirectly(server.dataDir, database.url);
  try {
    const owner = await registerUser(server.url);
    const reader = await registerUser(server.url);
    const photo = photoRecord(owner.userId, { visibility: 'public' });
    const others = Array.from({ length: OTHER_PHOTOS }, () =>
      photoRecord(owner.userId, { visibility: 'public' }),
    );
    await sql.insertPhotos([photo, ...others]);
    // The conversations interleave in time, as they would on a real server.
    const start = Date.now() - 30 * 86_400_000;
    const rows = commentRows(
      [
        { id: photo.id, count: COMMENTS, start },
        ...others.map((other, i) => ({
          id: other.id,
          count: OTHER_COMMENTS,
          start: start + i * 7,
        })),
      ],
      reader.userId,
    );
    const [seedMs] = await timed(() => sql.insertRows('comments', rows));

    interface Page {
      items: { id: string }[];
      nextCursor: string | null;
    }
    const fetchPage = async (order: string, after: string | null): Promise<Page> => {
      const query = `limit=${PAGE}&order=${order}${after ? `&after=${after}` : ''}`;
      const response = await fetch(`${server.url}/v1/photos/${photo.id}/comments?${query}`);
      if (!response.ok) throw new Error(`listing answered ${response.status}`);
      return (await response.json()) as Page;
    };

    const table = [];
    const verdicts: string[] = [];
    for (const order of ORDERS) {
      // Follow nextCursor from the first page, keeping each page's cursor.
      const cursorOf = new Map<number, string | null>();
      const walk: number[] = [];
      let after: string | null = null;
      for (let page = 1; page <= DEEPEST; page++) {
        cursorOf.set(page, after);
        const [elapsed, body] = await timed(() => fetchPage(order, after));
        walk.push(elapsed);
        if (body.items.length !== PAGE) throw new Error(`page ${page} has ${body.items.length}`);
        after = body.nextCursor;
        if (!after) break;
      }
      const direction = order === 'oldest' ? 'asc' : 'desc';
      const offsetSql = `select c.*, u.username from comments c join users u on u.id = c.author_id where c.photo_id = ? order by c.id ${direction} limit ${PAGE + 1} offset ?`;
      // Each kind on its own; its depths in turn, round after round, so drift hits them alike.
      const p50 = async (query: (depth: number) => Promise<unknown>) => {
        const times = new Map<number, number[]>(DEPTHS.map((depth) => [depth, []]));
        for (let i = 0; i < REPETITIONS; i++)
          for (const depth of DEPTHS) times.get(depth)?.push((await timed(() => query(depth)))[0]);
        return new Map([...times].map(([depth, list]) => [depth, median(list)]));
      };
      const api = await p50((depth) => fetchPage(order, cursorOf.get(depth) ?? null));
      const offset = await p50(async (depth) => {
        const found = await sql.query(offsetSql, [photo.id, (depth - 1) * PAGE]);
        if (found.length === 0) throw new Error(`OFFSET page ${depth} is empty`);
      });
      const first = api.get(1) as number;
      for (const depth of DEPTHS)
        table.push({
          order,
          page: depth,
          'comments before it': (depth - 1) * PAGE,
          'API keyset p50 ms': ms(api.get(depth) as number),
          'vs page 1': `${((api.get(depth) as number) / first).toFixed(2)}×`,
          'during walk ms (1 sample)': ms(walk[depth - 1] as number),
          'SQL OFFSET p50 ms': ms(offset.get(depth) as number),
          'OFFSET vs its page 1': `${((offset.get(depth) as number) / (offset.get(1) as number)).toFixed(1)}×`,
        });
      const worst = Math.max(...DEPTHS.map((depth) => api.get(depth) as number)) / first;
      const at100 = (api.get(100) ?? Number.NaN) / first;
      verdicts.push(
        `${order} first: page 100 ${at100.toFixed(2)}× page 1, slowest depth ${worst.toFixed(2)}× ` +
          `(flat: every depth ≤ 1.5× page 1): ${worst <= 1.5 ? 'met' : 'MISSED'}`,
      );
    }

    console.log(
      `comments (${kind}): ${COMMENTS.toLocaleString('en')} comments on one public photo, ` +
        `${(OTHER_PHOTOS * OTHER_COMMENTS).toLocaleString('en')} more on ${OTHER_PHOTOS} others, ` +
        `${PAGE} a page, seeded in ${(seedMs / 1000).toFixed(1)} s; p50 of ${REPETITIONS} repetitions per depth. ` +
        'API: GET /v1/photos/:id/comments over HTTP, anonymous, by nextCursor; ' +
        'SQL OFFSET: the same page by OFFSET, run directly (the baseline). ' +
        describeMachine(),
    );
    console.table(table);
    for (const verdict of verdicts) console.log(`API keyset, ${verdict}`);
  } finally {
    await sql.close();
    await server.destroy();
  }
}

await onEachDatabase('comments', measure);
