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
import { afterPosition, allOf, photoConditions, toHit } from './searchable-photos.ts';

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
    const [only] = terms;
    if (terms.length === 1 && only) return this.#oneWord(only, where, page);
    const match = terms.map(termQuery).join(' AND ');
    // Whether a word is in one field: one more FTS5 query each, run once per
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
   * One word (most searches): its score takes 7 values, one per combination
   * of fields, so the results are the photos of score 7 newest first, then of
   * 6, and so on. FTS5 walks each such class in rowid order and stops at a
   * LIMIT, so a page costs about the same however many photos match: no
   * scoring and sorting of every match. Each batch is joined to photos for the
   * access rule and the filters; batches grow while they find too few.
   */
  async #oneWord(
    term: SearchTerm,
    where: RawBuilder<unknown>[],
    page: { after?: SearchPosition | undefined; limit: number },
  ): Promise<SearchHit[]> {
    const hits: SearchHit[] = [];
    const from = page.after;
    for (let score = from ? from.score : 7; score >= 1; score--) {
      let below = from && score === from.score ? Number(from.key) : undefined;
      for (let batch = page.limit + 1; ; batch = Math.min(batch * 2, MAX_BATCH)) {
        const { rows: ranked } = await sql<{ rowid: number }>`
          select rowid from photo_search
          where photo_search match ${scoreClassQuery(term, score)}
            and ${below === undefined ? sql`1 = 1` : sql`rowid < ${below}`}
          order by rowid desc
          limit ${batch}`.execute(this.#sql.db);
        const last = ranked.at(-1);
        if (!last) break;
        const { rows } = await sql<PhotosTable & { searchKey: number }>`
          select p.*, r.rowid as search_key
          from photo_search_rows r
          cross join photos p on p.id = r.photo_id
          where r.rowid in (${sql.join(ranked.map((row) => row.rowid))}) and ${allOf(where)}`.execute(
          this.#sql.db,
        );
        const visible = new Map(rows.map((row) => [Number(row.searchKey), row]));
        for (const { rowid } of ranked) {
          const row = visible.get(rowid);
          if (!row) continue;
          hits.push(toHit({ ...row, searchScore: score }));
          if (hits.length > page.limit) return hits;
        }
        if (ranked.length < batch) break;
        below = last.rowid;
      }
    }
    return hits;
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
