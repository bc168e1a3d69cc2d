import { type RawBuilder, sql } from 'kysely';
import type {
  SearchFilter,
  SearchHit,
  SearchIndex,
  SearchPosition,
  SearchTerm,
  SearchViewer,
} from '../../../ports/search-index.ts';
import type { SqlContext } from '../repositories/executor.ts';
import type { PhotosTable } from '../schema.ts';
import { facetGroups, RANKED_AT_MOST } from './search-facets.ts';
import {
  afterPosition,
  allOf,
  type Candidate,
  inBatches,
  photoConditions,
  toHit,
} from './searchable-photos.ts';

/** An FTS5 string: a phrase in double quotes, its own quotes doubled; never query syntax. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** The word in the title or description, or it or one of its tags among the tags. */
const termQuery = (term: SearchTerm) =>
  `({title description} : ${phrase(term.word)} OR {tags} : (${[term.word, ...term.tags].map(phrase).join(' OR ')}))`;

/** One word's FTS5 query in each field: the word, and among tags also its tags. */
const fieldQueries = (term: SearchTerm): [bit: number, query: string][] => [
  [4, `{title} : ${phrase(term.word)}`],
  [2, `{tags} : (${[term.word, ...term.tags].map(phrase).join(' OR ')})`],
  [1, `{description} : ${phrase(term.word)}`],
];

/** Photos whose score for one word is exactly `score`: in the fields of its bits (4, 2, 1), in no other. */
const scoreClassQuery = (term: SearchTerm, score: number) => {
  const fields = fieldQueries(term);
  const present = fields.filter(([bit]) => score & bit).map(([, query]) => `(${query})`);
  return fields
    .filter(([bit]) => !(score & bit))
    .reduce((query, [, absent]) => `(${query}) NOT (${absent})`, present.join(' AND '));
};

/** The filters' facets (search-facets.ts) as an FTS5 query of the `facets` field; undefined for none. */
const facetQuery = (groups: string[][]) => {
  if (groups.length === 0) return undefined;
  return groups.map((words) => `{facets} : (${words.map(phrase).join(' OR ')})`).join(' AND ');
};

/** Both FTS5 queries, where there is a second. */
const and = (query: string, facets: string | undefined) =>
  facets ? `(${query}) AND ${facets}` : query;

/** The largest batch of rowids a one-word search joins to photos at once. */
const MAX_BATCH = 1024;

/** Search on SQLite's FTS5 (migration 0008): table photo_search, columns title, tags, description. */
export class SqliteSearchIndex implements SearchIndex {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async search(
    terms: readonly SearchTerm[],
    viewer: SearchViewer,
    filter: SearchFilter,
    page: { after?: SearchPosition | undefined; limit: number },
  ): Promise<SearchHit[]> {
    const where = photoConditions(
      viewer,
      filter,
      (tag) => sql`exists (select 1 from json_each(p.tags) where lower(trim(value)) = ${tag})`,
    );
    const facets = facetQuery(await facetGroups(this.#sql.db, filter, viewer));
    const [only] = terms;
    const match = and(terms.map(termQuery).join(' AND '), facets);
    // Filters with facets usually leave few matches: all scored at once. One
    // word is otherwise walked in result order.
    const few = facets ? await this.#scoreFew(terms, match, page.after) : undefined;
    if (few) return this.#joinInOrder(inBatches(few, page.limit + 1, MAX_BATCH), where, page.limit);
    if (terms.length === 1 && only)
      return this.#joinInOrder(
        this.#walkClasses(only, page.after, page.limit + 1),
        where,
        page.limit,
      );
    // Many matches of several words are ranked whole. Whether a word is in one field: one more FTS5 query each, run once per
    // search (an uncorrelated IN), not per row. bm25() would rank by corpus
    // statistics, which move with every upload and would shift a cursor's position.
    const inField = (field: 'title' | 'tags' | 'description', term: SearchTerm) => {
      const words = field === 'tags' ? [term.word, ...term.tags] : [term.word];
      return sql`(s.rowid in (select rowid from photo_search where photo_search match ${`{${field}} : (${words.map(phrase).join(' OR ')})`}))`;
    };
    const score = sql.join(
      terms.map(
        (term) =>
          sql`4 * ${inField('title', term)} + 2 * ${inField('tags', term)} + ${inField('description', term)}`,
      ),
      sql` + `,
    );
    // Ranked in the index first, every match (cheap: rowids and scores), and
    // only then joined to photos, in rank order, until the page is full: the
    // CROSS JOINs make SQLite nest the loops in this order, and the outer ORDER
    // BY is the subquery's, which SQLite then takes as done (without the
    // subquery's `limit -1` it drops the subquery's ORDER BY instead). So the
    // join, the access rule and the filters run for the page's rows and those
    // it skips, not for every match.
    const { rows } = await sql<PhotosTable & { searchScore: number; searchKey: number }>`
      select p.*, ranked.score as search_score, ranked.rowid as search_key
      from (
        select rowid, score from (
          select rowid, ${score} as score from photo_search s
          where photo_search match ${match}
        )
        where ${afterPosition(page.after, sql`rowid`, Number)}
        order by score desc, rowid desc
        limit -1
      ) ranked
      cross join photo_search_rows r on r.rowid = ranked.rowid
      cross join photos p on p.id = r.photo_id
      where ${allOf(where)}
      order by ranked.score desc, ranked.rowid desc
      limit ${page.limit + 1}`.execute(this.#sql.db);
    return rows.map(toHit);
  }

  /**
   * The page from candidates in result order, a batch at a time (rowids and
   * scores from the index alone): each batch is joined to photos for the
   * access rule and the filters until the page is full.
   */
  async #joinInOrder(
    batches: AsyncIterable<Candidate<number>[]> | Iterable<Candidate<number>[]>,
    where: RawBuilder<unknown>[],
    limit: number,
  ): Promise<SearchHit[]> {
    const hits: SearchHit[] = [];
    for await (const batch of batches) {
      const { rows } = await sql<PhotosTable & { searchKey: number }>`
        select p.*, r.rowid as search_key
        from photo_search_rows r
        cross join photos p on p.id = r.photo_id
        where r.rowid in (${sql.join(batch.map((candidate) => candidate.key))}) and ${allOf(where)}`.execute(
        this.#sql.db,
      );
      const visible = new Map(rows.map((row) => [Number(row.searchKey), row]));
      for (const { key, score } of batch) {
        const row = visible.get(key);
        if (!row) continue;
        hits.push(toHit({ ...row, searchScore: score }));
        if (hits.length > limit) return hits;
      }
    }
    return hits;
  }

  /**
   * The word's score takes 7 values, one per combination of fields, so the
   * results are the photos of score 7 newest first, then of 6, and so on.
   * FTS5 walks each such class in rowid order and stops at a LIMIT, so a
   * page costs about the same however many photos match: no scoring and
   * sorting of every match. Batches grow while the join finds too few.
   */
  async *#walkClasses(
    term: SearchTerm,
    after: SearchPosition | undefined,
    first: number,
  ): AsyncGenerator<Candidate<number>[]> {
    for (let score = after ? after.score : 7; score >= 1; score--) {
      let below = after && score === after.score ? Number(after.key) : undefined;
      for (let batch = first; ; batch = Math.min(batch * 2, MAX_BATCH)) {
        const { rows } = await sql<{ rowid: number }>`
          select rowid from photo_search
          where photo_search match ${scoreClassQuery(term, score)}
            and ${below === undefined ? sql`1 = 1` : sql`rowid < ${below}`}
          order by rowid desc
          limit ${batch}`.execute(this.#sql.db);
        const last = rows.at(-1);
        if (!last) break;
        yield rows.map(({ rowid }) => ({ key: rowid, score }));
        if (rows.length < batch) break;
        below = last.rowid;
      }
    }
  }

  /**
   * Every match of `match` (the words and the facets), scored and in result
   * order after `after`: one query per word and field (the word in it, within
   * the matches), the score their sum. Undefined when one finds more than
   * RANKED_AT_MOST: the facets narrowed too little, and the walk, or ranking
   * in SQL, reads fewer.
   */
  async #scoreFew(
    terms: readonly SearchTerm[],
    match: string,
    after: SearchPosition | undefined,
  ): Promise<Candidate<number>[] | undefined> {
    const scores = new Map<number, number>();
    for (const term of terms)
      for (const [bit, query] of fieldQueries(term)) {
        const { rows } = await sql<{ rowid: number }>`
          select rowid from photo_search where photo_search match ${`(${query}) AND (${match})`}
          limit ${RANKED_AT_MOST + 1}`.execute(this.#sql.db);
        if (rows.length > RANKED_AT_MOST) return undefined;
        for (const { rowid } of rows) scores.set(rowid, (scores.get(rowid) ?? 0) + bit);
      }
    return [...scores]
      .map(([key, score]) => ({ key, score }))
      .filter(
        ({ key, score }) =>
          !after || score < after.score || (score === after.score && key < Number(after.key)),
      )
      .sort((a, b) => b.score - a.score || b.key - a.key);
  }

  async tagCandidates(word: string, limit: number): Promise<string[]> {
    // Tags the word begins (GLOB on the unique index: words hold no wildcards), shortest first.
    const prefixed = await sql<{ tag: string }>`
      select tag from search_tags where tag glob ${`${word}*`} order by length(tag), tag limit ${limit}`.execute(
      this.#sql.db,
    );
    // Typos past the second letter of a short word may leave no trigram in
    // common ('bech', 'beach'): tags of a similar length that begin alike.
    const length = [...word].length;
    const alike = await sql<{ tag: string }>`
      select tag from search_tags
      where tag glob ${`${[...word].slice(0, 2).join('')}*`} and length(tag) between ${length - 2} and ${length + 2}
      order by tag limit ${limit}`.execute(this.#sql.db);
    // Tags sharing trigrams with the word, those sharing most first.
    const trigrams = [...new Set(word.length < 3 ? [] : trigramsOf(word))];
    const near =
      trigrams.length === 0
        ? { rows: [] }
        : await sql<{ tag: string }>`
          select tag from search_tag_trigrams where search_tag_trigrams match ${trigrams.map(phrase).join(' OR ')}
          order by rank limit ${limit}`.execute(this.#sql.db);
    return [...new Set([...prefixed.rows, ...alike.rows, ...near.rows].map((row) => row.tag))];
  }
}

const trigramsOf = (word: string) => {
  const chars = [...word];
  return chars.slice(0, -2).map((_, at) => chars.slice(at, at + 3).join(''));
};
