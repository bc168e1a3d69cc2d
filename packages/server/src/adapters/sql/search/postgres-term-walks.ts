import { type RawBuilder, sql } from 'kysely';
import type { SearchHit, SearchPosition } from '../../../ports/search-index.ts';
import type { SqlContext } from '../repositories/executor.ts';
import type { PhotosTable } from '../schema.ts';
import { allOf, toHit } from './searchable-photos.ts';

// One-word searches (most of them) that walk photo_search_terms (migration
// 0012) in result order, so that a page reads about as many rows as it
// shows. Results, order and positions are those of the ranked query in
// postgres-search-index.ts, which answers longer queries.

/** A query word as the index holds it, with the tags it may stand for. */
export interface IndexedWord {
  /** Its one lexeme (the word as PostgreSQL's 'simple' configuration reads it). */
  lexeme: string;
  /** The tags it may stand for, each one lexeme too. */
  tagLexemes: string[];
  /** Whether some photo holds the word (a typo or a prefix of a tag seldom does). */
  found: boolean;
}

type Page = { after?: SearchPosition | undefined; limit: number };
type Row = PhotosTable & { searchScore: number; searchKey: string };

/** Whether the photo of `photoId` has one of the word's tags (each one lexeme) among its tags. */
const tagged = (word: IndexedWord, photoId: RawBuilder<unknown>) =>
  sql`exists (select 1 from photo_search_terms g where g.term = any(${word.tagLexemes}::text[])
    and g.fields in (2, 3, 6, 7) and g.photo_id = ${photoId})`;

/** Rows of the word with exactly these fields (4 title, 2 tags, 1 description). */
const withFields = (lexeme: string, fields: number, extra: RawBuilder<unknown> = sql`true`) =>
  sql`select t.photo_id from photo_search_terms t where t.term = ${lexeme} and t.fields = ${fields} and ${extra}`;

/**
 * Photos with one of the word's tags among their tags, once each (the
 * partial index). One tag is one stretch of it, already in order.
 */
const withTags = (word: IndexedWord, extra: RawBuilder<unknown> = sql`true`) => {
  const [only, ...more] = word.tagLexemes;
  return more.length === 0
    ? sql`select t.photo_id from photo_search_terms t
        where t.term = ${only} and t.fields in (2, 3, 6, 7) and ${extra}`
    : sql`select distinct t.photo_id from photo_search_terms t
        where t.term = any(${word.tagLexemes}::text[]) and t.fields in (2, 3, 6, 7) and ${extra}`;
};

/**
 * Photos whose score for the word is exactly `score`, as `photo_id`. The
 * word's own fields decide, except among tags, where one of its tags counts
 * too: a photo with the word in its title and one of its tags among its tags
 * scores 6, like one with the word in both.
 */
function scoreClass(word: IndexedWord, score: number): RawBuilder<unknown> {
  const hasTag = tagged(word, sql`t.photo_id`);
  if (!(score & 2)) return withFields(word.lexeme, score, sql`not ${hasTag}`);
  if (score > 2)
    return sql`${withFields(word.lexeme, score)} union all ${withFields(word.lexeme, score - 2, hasTag)}`;
  // Only among tags: the word there, or one of its tags on a photo without the word anywhere.
  return sql`${withFields(word.lexeme, 2)} union all ${withTags(
    word,
    sql`not exists (select 1 from photo_search_terms w where w.term = ${word.lexeme}
      and w.fields = any('{1,2,3,4,5,6,7}'::smallint[]) and w.photo_id = t.photo_id)`,
  )}`;
}

/** The largest batch of candidates a round reads. */
const MAX_BATCH = 4096;

/**
 * The photos of each score (`scores`, best first), newest first, up to the
 * page. Each round reads the next batch of candidates in result order, from
 * the first `window` scores still to read (twice as many each round after
 * the first), from photo_search_terms alone, and joins only those to photos
 * for the access rule and the filters: one round trip when the page fills.
 * The next round begins after the round's last candidate, with a batch
 * sized by the share of candidates that were hits so far (a filter on one
 * owner of twenty keeps 1 in 20).
 */
async function walkScores(
  db: SqlContext['db'],
  scores: number[],
  candidates: (score: number) => RawBuilder<unknown>,
  window: number,
  where: RawBuilder<unknown>[],
  { after, limit }: Page,
): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let pending = scores.filter((score) => !after || score <= after.score);
  // The cursor's key counts within its own score only (its photos may all be gone).
  let below = after && pending[0] === after.score ? after.key : undefined;
  let seen = 0;
  // Twice the page at first: the access rule alone leaves out some candidates.
  for (let batch = 2 * (limit + 1), width = window; pending.length > 0; width *= 2) {
    const round = pending.slice(0, width);
    const reads = round.map(
      (score, at) => sql`(select ${score}::int as search_score, c.photo_id as search_key
        from (${candidates(score)}) c
        where ${at === 0 && below !== undefined ? sql`c.photo_id < ${below}` : sql`true`}
        order by c.photo_id desc limit ${batch})`,
    );
    // The hits, and the round's last candidate (without its photo unless a
    // hit) with how many it read: where the next round begins, and whether one does.
    const { rows } = await sql<Row & { id: string | null; read: number; at: number }>`
      select p.*, c.search_score, c.search_key, c.read, c.at from (
        select c.*, count(*) over () as read,
          row_number() over (order by c.search_score desc, c.search_key desc) as at
        from (select * from (${sql.join(reads, sql` union all `)}) u
          order by search_score desc, search_key desc limit ${batch}) c
      ) c
      left join photos p on p.id = c.search_key and ${allOf(where)}
      where p.id is not null or c.at = c.read
      order by c.search_score desc, c.search_key desc`.execute(db);
    for (const { read, at, ...row } of rows) {
      if (row.id !== null) hits.push(toHit(row));
      if (hits.length > limit) return hits;
    }
    const last = rows.at(-1);
    if (!last || last.read < batch) {
      // Every score of the round is read to its end.
      pending = pending.slice(round.length);
      below = undefined;
    } else {
      pending = pending.slice(round.indexOf(last.searchScore));
      below = last.searchKey;
    }
    seen += last?.read ?? 0;
    // Half as many again as should fill the rest of the page at the share seen so far.
    const wanted = Math.ceil((1.5 * (limit + 1 - hits.length) * seen) / Math.max(hits.length, 1));
    batch = Math.min(MAX_BATCH, Math.max(batch * 2, wanted));
  }
  return hits;
}

/**
 * One word: its score takes 7 values, so the results are the photos of score
 * 7 newest first, then of 6, and so on. Without tags that is the order of
 * the word's rows in the primary key (term, fields, photo_id): one walk
 * backwards, joined to photos until the page is full. With tags, each score
 * is a stretch or two of the word's rows and of its tags' (the partial
 * index), read a batch at a time.
 */
export async function oneWord(
  db: SqlContext['db'],
  word: IndexedWord,
  where: RawBuilder<unknown>[],
  page: Page,
): Promise<SearchHit[]> {
  const { after, limit } = page;
  // A word no photo holds finds its tags only, all of score 2.
  if (word.tagLexemes.length > 0 && !word.found)
    return walkScores(db, [2], () => withTags(word), 1, where, page);
  if (word.tagLexemes.length > 0)
    return walkScores(
      db,
      [7, 6, 5, 4, 3, 2, 1],
      (score) => scoreClass(word, score),
      2,
      where,
      page,
    );
  const { rows } = await sql<Row>`
    select p.*, t.fields as search_score, t.photo_id as search_key
    from photo_search_terms t join photos p on p.id = t.photo_id
    where t.term = ${word.lexeme}
      and ${after ? sql`(t.fields, t.photo_id) < (${after.score}, ${after.key})` : sql`true`}
      and ${allOf(where)}
    order by t.fields desc, t.photo_id desc
    limit ${limit + 1}`.execute(db);
  return rows.map(toHit);
}
