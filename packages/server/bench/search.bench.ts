// Photo search over 10,000 and then 100,000 photos with realistic titles,
// descriptions and tags (search-corpus.ts): the index (FTS5 on SQLite,
// tsvector + GIN and pg_trgm on PostgreSQL) through the search service, as a
// signed-in user with grants, against a LIKE '%…%' scan answering the same
// question (the first page, ranked alike, under the same access rule and filters) in the
// same run on the same data.
//
// On SQLite, then on PostgreSQL (FLICKR_TEST_POSTGRES_URL) where it answers.
//
//   node --conditions=source packages/server/bench/search.bench.ts
//   BENCH_DATABASE=sqlite|postgres ... (one of them only)
//   BENCH_SEARCH_PHOTOS=20000 ... (a smaller largest size, for a quick look)

import type { Principal } from '../src/domain/principal.ts';
import type { PhotoSearchRequest } from '../src/domain/search.ts';
import type { PhotoRecord } from '../src/ports/metadata-store.ts';
import { registerUser, startTestServer } from '../test/harness.ts';
import { photoRecord } from '../test/seed.ts';
import {
  type BenchDatabase,
  connectDirectly,
  createBenchDatabase,
  onEachDatabase,
} from './listing-database.ts';
import { formatMs, percentile } from './percentiles.ts';
import { photoText } from './search-corpus.ts';

const LARGEST = Number(process.env.BENCH_SEARCH_PHOTOS ?? 100_000);
const SIZES = [Math.min(10_000, LARGEST / 10), LARGEST];
const OWNERS = 20;
const GRANTING = 3;
const RUNS = 100;
const SCAN_RUNS = 15;
const PAGE = 20;

interface BenchQuery {
  name: string;
  request: Omit<PhotoSearchRequest, 'limit'>;
}

/** What people type: common and rare words, two words, a typo, a prefix, and filters. */
const queries = (owner: string): BenchQuery[] => [
  { name: 'common word', request: { q: 'beach' } },
  { name: 'two words', request: { q: 'sunset lisbon' } },
  { name: 'adjective + subject', request: { q: 'foggy harbour' } },
  { name: 'rare word', request: { q: 'mushroom' } },
  { name: 'tag typo', request: { q: 'lighthuose' } },
  { name: 'tag prefix', request: { q: 'waterf' } },
  {
    name: 'word + location + dates',
    request: { q: 'mountain', hasLocation: 'true', takenFrom: '2020-01-01', takenTo: '2021-12-31' },
  },
  { name: 'word + owner', request: { q: 'cafe', owner } },
  // A filter that narrows little, with no facet: the walk answers, testing each candidate.
  { name: 'common word + public', request: { q: 'beach', visibility: 'public' } },
  // A common word and a filter that leaves more matches than are scored at once.
  { name: 'common word + location', request: { q: 'beach', hasLocation: 'true' } },
];

/**
 * The baseline: the same first page by LIKE '%word%' over the three fields,
 * ranked by the same score, under the same access rule and filters (tested
 * first, so the scan skips the LIKEs of photos they leave out; the location
 * filter as "has coordinates", without geo privacy). A scan: it reads every
 * photo, the owner filter too (`|| ''` keeps the owner index out of it).
 * (It cannot find typos or prefixes of tags: for those it looks for the word
 * as typed, which still reads every photo.)
 */
function scanSql(
  words: string[],
  viewerId: string,
  request: BenchQuery['request'],
  ownerId: string,
): { sql: string; parameters: unknown[] } {
  const filters = ['1 = 1'];
  const filterParameters: unknown[] = [];
  if (request.owner) {
    filters.push("p.owner_id || '' = ?");
    filterParameters.push(ownerId);
  }
  if (request.visibility) {
    filters.push('p.visibility = ?');
    filterParameters.push(request.visibility);
  }
  if (request.hasLocation === 'true') filters.push('p.latitude is not null');
  if (request.takenFrom) {
    filters.push('substr(p.captured_at, 1, 10) >= ?');
    filterParameters.push(request.takenFrom);
  }
  if (request.takenTo) {
    filters.push('substr(p.captured_at, 1, 10) <= ?');
    filterParameters.push(request.takenTo);
  }
  const parameters: unknown[] = [];
  const like = (field: string, word: string) => {
    parameters.push(`%${word}%`);
    return `(lower(${field}) like ?)`;
  };
  const score = words
    .map(
      (w) =>
        `(case when ${like('title', w)} then 4 else 0 end + case when ${like('tags', w)} then 2 else 0 end + case when ${like('description', w)} then 1 else 0 end)`,
    )
    .join(' + ');
  parameters.push(...filterParameters);
  const matches = words
    .map((w) => `(${like('title', w)} or ${like('tags', w)} or ${like('description', w)})`)
    .join(' and ');
  parameters.push(viewerId, viewerId);
  return {
    sql: `select id, ${score} as score from photos p
      where ${filters.join(' and ')} and ${matches} and p.deleted_at is null and (p.owner_id = ? or (p.status = 'ready' and
        (p.visibility = 'public' or exists (select 1 from grants g where g.sharer_id = p.owner_id and g.viewer_id = ?))))
      order by score desc, id desc limit ${PAGE + 1}`,
    parameters,
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

interface Figures {
  name: string;
  found: number;
  p50: number;
  p99: number;
  scanP50: number;
}

async function measure(kind: BenchDatabase): Promise<void> {
  const database = await createBenchDatabase(kind);
  // Registering the owners is many logins in a minute: lift the login rate limit.
  const server = await startTestServer(
    { FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' },
    { role: 'serve', database },
  );
  const sql = await connectDirectly(server.dataDir, database.url);
  const { store, search } = server.services;
  try {
    const owners: { userId: string; username: string }[] = [];
    for (let i = 0; i < OWNERS; i++) owners.push(await registerUser(server.url));
    const searcher = await registerUser(server.url);
    for (const owner of owners.slice(0, GRANTING))
      await store.grants.grant(owner.userId, searcher.userId, new Date().toISOString());
    const user = await store.users.byId(searcher.userId);
    if (!user) throw new Error('the searcher vanished');
    // The service's caller: a session with the read scope, as the route would pass it.
    const principal: Principal = {
      user,
      token: {
        id: 'bench',
        userId: user.id,
        name: 'bench',
        kind: 'session',
        secretHash: '',
        scopes: ['read'],
        createdAt: user.createdAt,
        lastUsedAt: null,
        expiresAt: null,
      },
    };
    const record = (i: number): PhotoRecord =>
      photoRecord((owners[i % OWNERS] as { userId: string }).userId, {
        ...photoText(i),
        visibility: i % 5 === 0 ? 'private' : 'public',
        status: i % 100 === 0 ? 'processing' : 'ready',
      });

    const bySize: Figures[][] = [];
    let inserted = 0;
    for (const size of SIZES) {
      const photos = Array.from({ length: size - inserted }, (_, at) => record(inserted + at));
      const started = performance.now();
      await sql.insertPhotos(photos);
      // What autovacuum would do shortly after a bulk load: statistics, and a visibility map.
      if (kind === 'postgres') await sql.query('vacuum analyze');
      const seedSeconds = (performance.now() - started) / 1000;
      inserted = size;

      const list = queries((owners[GRANTING] as { username: string }).username);
      const run = (query: BenchQuery) =>
        search.photos(principal, { ...query.request, limit: PAGE });
      const found = new Map<string, number>();
      for (const query of list) found.set(query.name, (await run(query)).items.length); // warm-up
      // Round-robin, so that drift in the machine's speed hits every query alike.
      const times = new Map<string, number[]>(list.map((query) => [query.name, []]));
      for (let i = 0; i < RUNS; i++)
        for (const query of list) times.get(query.name)?.push(await timed(() => run(query)));
      const scanTimes = new Map<string, number[]>(list.map((query) => [query.name, []]));
      for (let i = 0; i < SCAN_RUNS; i++)
        for (const query of list) {
          const words = query.request.q.toLowerCase().split(/\s+/);
          const { sql: text, parameters } = scanSql(
            words,
            searcher.userId,
            query.request,
            (owners[GRANTING] as { userId: string }).userId,
          );
          scanTimes.get(query.name)?.push(await timed(() => sql.query(text, parameters)));
        }
      const figures = list.map((query) => ({
        name: query.name,
        found: found.get(query.name) ?? 0,
        p50: percentile(times.get(query.name) ?? [], 50),
        p99: percentile(times.get(query.name) ?? [], 99),
        scanP50: percentile(scanTimes.get(query.name) ?? [], 50),
      }));
      bySize.push(figures);
      console.log(
        `\nsearch (${kind}): ${size.toLocaleString('en')} photos of ${OWNERS} owners (1 in 5 private, 1 in 100 processing), ` +
          `${GRANTING} of them granted to the searcher; seeded ${(size - (SIZES[SIZES.indexOf(size) - 1] ?? 0)).toLocaleString('en')} in ${seedSeconds.toFixed(1)} s ` +
          `through the triggers; first page of ${PAGE}; index: ${RUNS} runs of SearchService.photos (words, tag candidates, ` +
          `ranked query, photo views); scan: ${SCAN_RUNS} runs of the LIKE baseline`,
      );
      console.table(
        figures.map((f) => ({
          query: f.name,
          'on page 1': f.found,
          'index p50 ms': formatMs(f.p50),
          'index p99 ms': formatMs(f.p99),
          'LIKE scan p50 ms': formatMs(f.scanP50),
          'scan ÷ index (p50)': `${(f.scanP50 / f.p50).toFixed(1)}×`,
        })),
      );
    }

    const small = bySize[0] ?? [];
    const large = bySize.at(-1) ?? [];
    const worstP99 = Math.max(...large.map((f) => f.p99));
    const leastSpeedup = Math.min(...large.map((f) => f.scanP50 / f.p50));
    const growth = large.map((f, at) => f.p50 / (small[at]?.p50 ?? f.p50));
    const worstGrowth = Math.max(...growth);
    const scanGrowth =
      large.reduce((sum, f) => sum + f.scanP50, 0) / small.reduce((sum, f) => sum + f.scanP50, 0);
    console.log(
      `\nverdicts (${kind}, ${LARGEST.toLocaleString('en')} photos):\n` +
        `  slowest p99 ${formatMs(worstP99)} ms (goal < 20 ms): ${worstP99 < 20 ? 'met' : 'MISSED'}\n` +
        `  least speed-up over the LIKE scan ${leastSpeedup.toFixed(1)}× (goal ≥ 20×): ${leastSpeedup >= 20 ? 'met' : 'MISSED'}\n` +
        `  p50 growth from ${SIZES[0]?.toLocaleString('en')} to ${LARGEST.toLocaleString('en')} photos: ` +
        `${growth.map((g, at) => `${large[at]?.name} ${g.toFixed(2)}×`).join(', ')}; ` +
        `worst ${worstGrowth.toFixed(2)}× (goal near flat, ≤ 2×): ${worstGrowth <= 2 ? 'met' : 'MISSED'}; ` +
        `the scan grew ${scanGrowth.toFixed(1)}×`,
    );
  } finally {
    await sql.close();
    await server.destroy();
  }
}

await onEachDatabase('search', measure);
