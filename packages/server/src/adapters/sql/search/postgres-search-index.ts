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
import { afterPosition, allOf, commonFilters, toHit, visibleTo } from './searchable-photos.ts';

// Weights name the fields in photo_search.document (migration 0008): A title, B tags, C description.

/** The word, as a tsquery built by PostgreSQL from the plain text: never query syntax. */
const wordQuery = (term: SearchTerm) => sql`plainto_tsquery('simple', ${term.word})`;

/** The word or any of its tags (a tag of several words is a phrase). */
const tagsQuery = (term: SearchTerm) =>
  sql`(${sql.join(
    [term.word, ...term.tags].map((text) => sql`phraseto_tsquery('simple', ${text})`),
    sql` || `,
  )})`;

const inField = (field: 'a' | 'b' | 'c', query: RawBuilder<unknown>) =>
  sql`(ts_filter(s.document, ${`{${field}}`}) @@ ${query})`;

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
    // The GIN index finds photos with every word anywhere; each word's
    // fields are then checked exactly (a tag's typo counts among tags only).
    const anywhere = sql.join(
      terms.map((term) => sql`(${wordQuery(term)} || ${tagsQuery(term)})`),
      sql` && `,
    );
    const exact = terms.map(
      (term) =>
        sql`(${inField('a', wordQuery(term))} or ${inField('c', wordQuery(term))} or ${inField('b', tagsQuery(term))})`,
    );
    // ts_rank() would do too (it reads the photo's own text only), but its
    // floating-point scores make a brittle cursor: small integers compare exactly.
    const score = sql.join(
      terms.map(
        (term) =>
          sql`4 * ${inField('a', wordQuery(term))}::int + 2 * ${inField('b', tagsQuery(term))}::int + ${inField('c', wordQuery(term))}::int`,
      ),
      sql` + `,
    );
    const where: RawBuilder<unknown>[] = [...exact, visibleTo(viewer), ...commonFilters(filter)];
    if (filter.tag)
      where.push(
        sql`exists (select 1 from jsonb_array_elements_text(p.tags::jsonb) t where lower(btrim(t)) = ${filter.tag.toLowerCase()})`,
      );
    const { rows } = await sql<PhotosTable & { searchScore: number }>`
      select * from (
        select p.*, (${score})::int as search_score
        from photo_search s
        join photos p on p.id = s.photo_id
        where s.document @@ (${anywhere}) and ${allOf(where)}
      ) found
      where ${afterPosition(page.after)}
      order by search_score desc, id desc
      limit ${page.limit + 1}`.execute(this.#sql.db);
    return rows.map(toHit);
  }

  async tagCandidates(word: string, limit: number): Promise<string[]> {
    // Tags the word begins (the C collation lets LIKE use the primary key), most used first.
    const prefixed = await sql<{ tag: string }>`
      select tag from search_tags where tag like ${`${word}%`} order by uses desc, tag limit ${limit}`.execute(
      this.#sql.db,
    );
    // Nearest by trigram distance (pg_trgm, GiST); prefixes again where the database lacks pg_trgm.
    const near = await sql<{ tag: string }>`
      select search_tag_candidates as tag from search_tag_candidates(${word}, ${limit})`.execute(
      this.#sql.db,
    );
    return [...new Set([...prefixed.rows, ...near.rows].map((row) => row.tag))];
  }
}
