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
import { type IndexedWord, oneWord } from './postgres-term-walks.ts';
import { facetGroups, RANKED_AT_MOST } from './search-facets.ts';
import {
  afterPosition,
  allOf,
  type Candidate,
  inBatches,
  photoConditions,
  toHit,
} from './searchable-photos.ts';

/** The word, as a tsquery built by PostgreSQL from the plain text: never query syntax. */
const wordQuery = (term: SearchTerm) => sql`plainto_tsquery('simple', ${term.word})`;

/** The word or any of its tags (a tag of several words is a phrase). */
const tagsQuery = (term: SearchTerm) =>
  sql`(${sql.join(
    [term.word, ...term.tags].map((text) => sql`phraseto_tsquery('simple', ${text})`),
    sql` || `,
  )})`;

/** Whether a field's vector (photo_search, migration 0008) matches. */
const inField = (field: 'title_v' | 'tags_v' | 'description_v', query: RawBuilder<unknown>) =>
  sql`(${sql.ref(`s.${field}`)} @@ ${query})`;

/** The filters' facets (search-facets.ts) as a tsquery of the document; undefined for none. */
function facetQuery(groups: string[][]): RawBuilder<unknown> | undefined {
  if (groups.length === 0) return undefined;
  return sql`(${sql.join(
    groups.map(
      (words) =>
        sql`(${sql.join(
          words.map((word) => sql`plainto_tsquery('simple', ${word})`),
          sql` || `,
        )})`,
    ),
    sql` && `,
  )})`;
}

/**
 * Every photo with all the words (and the facets), as `photo_id, score`.
 * The GIN index finds photos with every word anywhere; each word's fields
 * are then checked exactly (a tag's typo counts among tags only). ts_rank()
 * would do too (it reads the photo's own text only), but its floating-point
 * scores make a brittle cursor: small integers compare exactly.
 */
function scored(terms: readonly SearchTerm[], facets: RawBuilder<unknown> | undefined) {
  const anywhere = sql.join(
    [
      ...terms.map((term) => sql`(${wordQuery(term)} || ${tagsQuery(term)})`),
      ...(facets ? [facets] : []),
    ],
    sql` && `,
  );
  const exact = terms.map(
    (term) =>
      sql`(${inField('title_v', wordQuery(term))} or ${inField('description_v', wordQuery(term))} or ${inField('tags_v', tagsQuery(term))})`,
  );
  const score = sql.join(
    terms.map(
      (term) =>
        sql`4 * ${inField('title_v', wordQuery(term))}::int + 2 * ${inField('tags_v', tagsQuery(term))}::int + ${inField('description_v', wordQuery(term))}::int`,
    ),
    sql` + `,
  );
  return sql`select s.photo_id, (${score})::int as score from photo_search s
    where s.document @@ (${anywhere}) and ${allOf(exact)}`;
}

/** The most photos a page joins at once. */
const MAX_BATCH = 1024;

/**
 * The page from candidates in result order: each batch joined to photos for
 * the access rule and the filters, until the page is full. The first batch
 * is four pages: a round trip costs more than joining a few more rows, and
 * the facets have already left mostly photos that pass.
 */
async function joinInOrder(
  db: SqlContext['db'],
  candidates: Candidate<string>[],
  where: RawBuilder<unknown>[],
  limit: number,
): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  for (const batch of inBatches(candidates, 4 * (limit + 1), MAX_BATCH)) {
    const { rows } = await sql<PhotosTable>`
      select p.* from photos p
      where p.id = any(${batch.map((candidate) => candidate.key)}::text[]) and ${allOf(where)}`.execute(
      db,
    );
    const visible = new Map(rows.map((row) => [row.id, row]));
    for (const { key, score } of batch) {
      const row = visible.get(key);
      if (!row) continue;
      hits.push(toHit({ ...row, searchScore: score, searchKey: key }));
      if (hits.length > limit) return hits;
    }
  }
  return hits;
}

/** Search on PostgreSQL full-text search (tsvector + GIN), tags fuzzy through pg_trgm. */
export class PostgresSearchIndex implements SearchIndex {
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
      (tag) =>
        sql`exists (select 1 from jsonb_array_elements_text(p.tags::jsonb) t where lower(btrim(t)) = ${tag})`,
    );
    const facets = facetQuery(await facetGroups(this.#sql.db, filter, viewer));
    const [only] = terms;
    if (facets) {
      // Filters with facets usually leave few matches: all scored at once.
      const few = await this.#scoreFew(terms, facets, page.after);
      if (few) return joinInOrder(this.#sql.db, few, where, page.limit);
    }
    const word = terms.length === 1 && only ? await this.#indexed(only) : undefined;
    if (word) return oneWord(this.#sql.db, word, where, page);
    // Any other query is ranked whole.
    // Ranked from the index first (vectors only), then joined to photos in
    // rank order until the page is full: the sorted subquery's order carries
    // through the nested loop, so the LIMIT stops the join, the access rule
    // and the filters early instead of running them for every match. OFFSET 0
    // keeps the planner from flattening the subquery into the join (it then
    // joined every match, and sorted after).
    const { rows } = await sql<PhotosTable & { searchScore: number; searchKey: string }>`
      select p.*, ranked.score as search_score, ranked.photo_id as search_key
      from (
        select photo_id, score from (${scored(terms, facets)}) scored
        where ${afterPosition(page.after, sql`photo_id`, String)}
        order by score desc, photo_id desc
        offset 0
      ) ranked
      join photos p on p.id = ranked.photo_id
      where ${allOf(where)}
      order by ranked.score desc, ranked.photo_id desc
      limit ${page.limit + 1}`.execute(this.#sql.db);
    return rows.map(toHit);
  }

  /**
   * The word as photo_search_terms holds it, for postgres-term-walks.ts;
   * undefined where it or one of its tags is not one lexeme to PostgreSQL
   * (the ranked query then answers).
   */
  async #indexed(term: SearchTerm): Promise<IndexedWord | undefined> {
    const { rows } = await sql<{ lexemes: string[]; found: boolean }>`
      select l.lexemes, exists (select 1 from photo_search_terms t where t.term = l.lexemes[1]) as found
      from unnest(${[term.word, ...term.tags]}::text[]) with ordinality as texts(text, at),
        lateral (select tsvector_to_array(to_tsvector('simple', texts.text)) as lexemes) l
      order by texts.at`.execute(this.#sql.db);
    const [word, ...tags] = rows;
    const [lexeme, ...more] = word?.lexemes ?? [];
    // A tag of several words is a phrase: only the tsvectors know word order.
    if (
      !word ||
      lexeme === undefined ||
      more.length > 0 ||
      tags.some((tag) => tag.lexemes.length > 1)
    )
      return undefined;
    return { lexeme, tagLexemes: tags.flatMap((tag) => tag.lexemes), found: word.found };
  }

  /**
   * Every match holding the filters' facets, scored, in result order after
   * `after`; undefined when more than RANKED_AT_MOST follow it (the facets
   * narrowed too little: the walk or the ranked query reads fewer).
   */
  async #scoreFew(
    terms: readonly SearchTerm[],
    facets: RawBuilder<unknown>,
    after: SearchPosition | undefined,
  ): Promise<Candidate<string>[] | undefined> {
    // The LIMIT stops the scan one past the most; only then are they sorted
    // (in SQL: its collation orders the keys, as everywhere else).
    const { rows } = await sql<Candidate<string>>`
      select * from (
        select photo_id as key, score from (${scored(terms, facets)}) scored
        where ${afterPosition(after, sql`photo_id`, String)}
        limit ${RANKED_AT_MOST + 1}
      ) few
      order by score desc, key desc`.execute(this.#sql.db);
    return rows.length > RANKED_AT_MOST ? undefined : rows;
  }

  async tagCandidates(word: string, limit: number): Promise<string[]> {
    // One round trip: tags the word begins (the C collation lets LIKE use the
    // primary key), shortest first; then the nearest by trigram distance
    // (pg_trgm, GiST), or prefixes again where the database lacks pg_trgm.
    const { rows } = await sql<{ tag: string }>`
      (select tag from search_tags where tag like ${`${word}%`} order by length(tag), tag limit ${limit})
      union all
      (select search_tag_candidates as tag from search_tag_candidates(${word}, ${limit}))`.execute(
      this.#sql.db,
    );
    return [...new Set(rows.map((row) => row.tag))];
  }
}
