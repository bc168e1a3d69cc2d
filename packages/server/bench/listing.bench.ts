// Listing a user's photos 100 a page across 100,000 photos: the API's keyset
// cursors against OFFSET paging of the same depth, in the same run on the same
// database. A keyset page costs the same at any depth; an OFFSET page has to
// step over every row before it.
//
// On SQLite, then on PostgreSQL (FLICKR_TEST_POSTGRES_URL) where it answers.
//
//   node --conditions=source packages/server/bench/listing.bench.ts
//   BENCH_DATABASE=sqlite|postgres ... (one of them only)
import { registerUser, startTestServer } from '../test/harness.ts';
import { photoRecord } from '../test/seed.ts';
import {
  type BenchDatabase,
  connectDirectly,
  createBenchDatabase,
  onEachDatabase,
} from './listing-database.ts';
import { median, timed } from './percentiles.ts';

const PHOTOS = Number(process.env.BENCH_LISTING_PHOTOS ?? 100_000);
const PAGE = 100;
const DEPTHS = [1, 10, 100, 500, 1000].filter((depth) => (depth - 1) * PAGE < PHOTOS);
const DEEPEST = Math.max(...DEPTHS);
const REPETITIONS = 11;

const ms = (value: number) => (value < 0.01 ? '<0.01' : value.toFixed(2));

async function measure(kind: BenchDatabase): Promise<void> {
  const database = await createBenchDatabase(kind);
  // Role `serve`: the API without a saga worker polling beside the measurements.
  const server = await startTestServer({}, { role: 'serve', database });
  const sql = await connectDirectly(server.dataDir, database.url);
  try {
    const owner = await registerUser(server.url);
    const photos = Array.from({ length: PHOTOS }, () =>
      photoRecord(owner.userId, { visibility: 'public' }),
    );
    const [seedMs] = await timed(() => sql.insertPhotos(photos));

    // The API, anonymously (a public photostream), following nextCursor from the first page.
    interface Page {
      items: { id: string }[];
      nextCursor: string | null;
    }
    const fetchPage = async (after: string | null): Promise<Page> => {
      const query = `limit=${PAGE}${after ? `&after=${after}` : ''}`;
      const response = await fetch(`${server.url}/v1/users/${owner.username}/photos?${query}`);
      if (!response.ok) throw new Error(`listing answered ${response.status}`);
      return (await response.json()) as Page;
    };
    const walk: number[] = [];
    const cursorOf = new Map<number, string | null>();
    const lastIdBefore = new Map<number, string | undefined>();
    const firstIdOf = new Map<number, string>();
    let after: string | null = null;
    let previousLastId: string | undefined;
    const [walkMs] = await timed(async () => {
      for (let page = 1; page <= DEEPEST; page++) {
        cursorOf.set(page, after);
        lastIdBefore.set(page, previousLastId);
        const [elapsed, body] = await timed(() => fetchPage(after));
        walk.push(elapsed);
        if (body.items.length !== PAGE) throw new Error(`page ${page} has ${body.items.length}`);
        firstIdOf.set(page, body.items[0]?.id as string);
        previousLastId = body.items.at(-1)?.id;
        after = body.nextCursor;
        if (!after) break;
      }
    });

    // The same filter and order as the repository's query for an anonymous viewer.
    const filter = 'deleted_at is null and owner_id = ? and status = ? and visibility = ?';
    const keysetSql = `select * from photos where id < ? and ${filter} order by id desc limit ${PAGE + 1}`;
    const firstSql = `select * from photos where ${filter} order by id desc limit ${PAGE + 1}`;
    const offsetSql = `select * from photos where ${filter} order by id desc limit ${PAGE + 1} offset ?`;
    // The API also asks whether anything lies before the page (existsBeyond 'newer'): the nearest newer row.
    const newerSql = `select id from photos where id > ? and ${filter} order by id asc limit 1`;
    const scope = [owner.userId, 'ready', 'public'];

    // Each kind measured on its own, so that one does not run on caches another just churned;
    // its depths in turn, round after round, so that drift in the machine's speed hits them alike.
    const p50 = async (query: (depth: number) => Promise<unknown>) => {
      const times = new Map<number, number[]>(DEPTHS.map((depth) => [depth, []]));
      for (let i = 0; i < REPETITIONS; i++)
        for (const depth of DEPTHS) times.get(depth)?.push((await timed(() => query(depth)))[0]);
      return new Map([...times].map(([depth, list]) => [depth, median(list)]));
    };
    const api = await p50((depth) => fetchPage(cursorOf.get(depth) ?? null));
    const keyset = await p50((depth) => {
      const lastId = lastIdBefore.get(depth);
      return lastId ? sql.query(keysetSql, [lastId, ...scope]) : sql.query(firstSql, scope);
    });
    const offset = await p50(async (depth) => {
      const found = await sql.query(offsetSql, [...scope, (depth - 1) * PAGE]);
      if (found.length === 0) throw new Error(`OFFSET page ${depth} is empty`);
    });
    const newer = await p50((depth) => sql.query(newerSql, [firstIdOf.get(depth), ...scope]));
    const rows = DEPTHS.map((depth) => ({
      page: depth,
      'rows before it': (depth - 1) * PAGE,
      'API keyset p50 ms': ms(api.get(depth) as number),
      'during walk ms (1 sample)': ms(walk[depth - 1] as number),
      'SQL keyset p50 ms': ms(keyset.get(depth) as number),
      'SQL OFFSET p50 ms': ms(offset.get(depth) as number),
      "SQL 'newer' probe p50 ms": ms(newer.get(depth) as number),
      'OFFSET ÷ keyset (SQL)': `${((offset.get(depth) as number) / (keyset.get(depth) as number)).toFixed(1)}×`,
      keysetMs: api.get(depth) as number,
      offsetMs: offset.get(depth) as number,
    }));

    console.log(
      `listing (${kind}): ${PHOTOS.toLocaleString('en')} public photos of one user, ${PAGE} a page, ` +
        `seeded in ${(seedMs / 1000).toFixed(1)} s (batch inserts in one transaction); ` +
        `walked ${walk.length} pages by nextCursor in ${(walkMs / 1000).toFixed(1)} s ` +
        `(p50 ${ms(median(walk))} ms a page); p50 of ${REPETITIONS} repetitions per depth. ` +
        'API: GET /v1/users/:username/photos over HTTP, anonymous; SQL: the same query run directly, ' +
        "keyset (id < last id) against OFFSET (the baseline), and the API's probe for newer rows",
    );
    console.table(rows.map(({ keysetMs: _k, offsetMs: _o, ...row }) => row));
    const first = rows[0];
    const deepest = rows.at(-1);
    if (first && deepest && deepest !== first) {
      const slowest = rows.reduce((worst, row) => (row.keysetMs > worst.keysetMs ? row : worst));
      const growth = slowest.keysetMs / first.keysetMs;
      console.log(
        `API keyset: slowest depth (page ${slowest.page}) ${growth.toFixed(2)}× page 1, ` +
          `page ${deepest.page} ${(deepest.keysetMs / first.keysetMs).toFixed(2)}× (flat: every depth ≤ 1.5× page 1): ` +
          `${growth <= 1.5 ? 'met' : 'MISSED'}; SQL OFFSET page ${deepest.page} ` +
          `${(deepest.offsetMs / first.offsetMs).toFixed(1)}× page 1`,
      );
    }
  } finally {
    await sql.close();
    await server.destroy();
  }
}

await onEachDatabase('listing', measure);
