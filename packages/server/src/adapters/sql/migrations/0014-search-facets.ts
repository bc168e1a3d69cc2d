import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Search filters inside the text index, as words of their own ("facets").
//
// A filtered search used to read the query word's matches in result order
// and test each against `photos`: with a capture-date range and "has a
// location" only 1 match in 100 or so passes, so a page of 20 read and
// joined some 2,000 matches (40 ms over 100,000 photos). Each photo's index
// entry now also holds words for what the filters test: its owner
// (`o<id>`), album (`a<id>`), visibility (`vpublic`), capture year and month
// (`y2021`, `m202105`, or `dateodd` for a capture time that is not an ISO
// date) and whether it has a location (`geo`). The text index intersects
// them with the query word as it does two words (FTS5's doclists, the GIN
// posting lists), so a filtered search reads only the photos that pass the
// filters' coarse form. They never decide on their own: the exact filters
// and the access rule still run in SQL on what the index finds
// (adapters/sql/search/search-facets.ts builds the queries).
//
// Facets live in a field of their own on SQLite (`facets`, never named by
// a text query, which always names its fields) and in the GIN `document`
// only on PostgreSQL (with no field vector of their own, a text query's
// field checks never find them). The triggers follow every column a facet
// comes from, in the writing statement's transaction, as 0008's follow text.

/** Ids as facet words: hex digits without dashes, one token to both tokenizers. */
const facetSql = (row: string) => `'o' || replace(${row}.owner_id, '-', '')
  || coalesce(' a' || replace(${row}.album_id, '-', ''), '')
  || ' v' || ${row}.visibility
  || ${locationFacetSql(row)}
  || ${captureFacetSql(row)}`;

/**
 * For a photo with a location: ` geo`, ` go<owner>` (its owner sees it), and
 * by who else may see it (domain/location-privacy.ts: the photo's own
 * setting, else its owner's default, else `shared`) ` gs<owner>` (those
 * the owner shares with see it) and ` geoanyone`. So "has a location I may
 * see" is one group of words: geoanyone, go<me>, gs<each owner sharing with me>.
 */
const locationFacetSql = (row: string) => {
  const owner = `replace(${row}.owner_id, '-', '')`;
  return `case when ${row}.latitude is null then '' else ' geo go' || ${owner} ||
    case coalesce(${row}.location_visibility,
        (select s.location_visibility_default from user_settings s where s.user_id = ${row}.owner_id), 'shared')
      when 'anyone' then ' geoanyone gs' || ${owner}
      when 'shared' then ' gs' || ${owner}
      else '' end
    end`;
};

/** Whether the characters of `column` from `start` (1-based) on are `count` digits; plain SQL to both databases. */
const digitsAt = (column: string, start: number, count: number) =>
  Array.from(
    { length: count },
    (_, at) => `substr(${column}, ${start + at}, 1) between '0' and '9'`,
  ).join(' and ');

/**
 * ` y2021 m202105` for a capture time that begins as an ISO date does
 * (`2021-05…`, month 01 to 12); ` dateodd` for any other; '' for none. The
 * date filter compares the text's first ten characters, so a photo whose
 * capture time is odd may still pass it: every date facet query asks for
 * `dateodd` too.
 */
const captureFacetSql = (row: string) => {
  const at = `${row}.captured_at`;
  return `case
    when ${at} is null then ''
    when ${digitsAt(at, 1, 4)} and substr(${at}, 5, 1) = '-' and ${digitsAt(at, 6, 2)}
      and substr(${at}, 6, 2) between '01' and '12'
      then ' y' || substr(${at}, 1, 4) || ' m' || substr(${at}, 1, 4) || substr(${at}, 6, 2)
    else ' dateodd' end`;
};

/** The columns of `photos` the index follows: text, and every facet's source. */
const FOLLOWED =
  'title, description, tags, owner_id, album_id, visibility, captured_at, latitude, location_visibility';

/**
 * A change of an owner's default location visibility changes the facets of
 * their located photos that follow it: naming the column in an UPDATE fires
 * the photos' index trigger (on both databases, whether or not the value
 * changes), which works the facets out again.
 */
const refollowDefault = (
  user: string,
) => `update photos set location_visibility = location_visibility
  where owner_id = ${user} and latitude is not null and location_visibility is null`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await upPostgres(db);
  else await upSqlite(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger user_settings_search_sync on user_settings`.execute(db);
    await sql`drop function user_settings_search_sync()`.execute(db);
    await replacePostgresSync(db, 'title, description, tags', false);
    await sql`update photo_search set document =
      setweight(title_v, 'A') || setweight(tags_v, 'B') || setweight(description_v, 'C')`.execute(
      db,
    );
    return;
  }
  for (const change of ['insert', 'update', 'delete'])
    await sql`drop trigger ${sql.id(`user_settings_search_${change}`)}`.execute(db);
  await replaceSqliteIndex(db, false);
}

// ---------------------------------------------------------------------------
// SQLite: FTS5 cannot add a column, so the index is made again, with the
// same rowids (photo_search_rows keeps them), and filled from photos.

/** A photo's tags as one text for the index: the JSON array's strings, space-separated. */
const sqliteTagText = (row: string) =>
  `(select group_concat(value, ' ') from json_each(${row}.tags))`;

const sqliteAddTags = `insert or ignore into search_tags (tag)
  select distinct lower(trim(value)) from json_each(new.tags) where trim(value) <> '';`;

async function replaceSqliteIndex(db: Kysely<unknown>, withFacets: boolean): Promise<void> {
  for (const trigger of ['photos_search_insert', 'photos_search_update', 'photos_search_delete'])
    await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db);
  await sql`drop table photo_search`.execute(db);
  // Column order matters to queries: 0 title, 1 tags, 2 description (3 facets).
  await sql
    .raw(`create virtual table photo_search using fts5(
      title, tags, description${withFacets ? ', facets' : ''},
      tokenize = 'unicode61 remove_diacritics 0'
    )`)
    .execute(db);
  const columns = `title, tags, description${withFacets ? ', facets' : ''}`;
  const values = (row: string) =>
    `${row}.title, ${sqliteTagText(row)}, ${row}.description${withFacets ? `, ${facetSql(row)}` : ''}`;
  await sql
    .raw(`create trigger photos_search_insert after insert on photos begin
    insert into photo_search_rows (photo_id) values (new.id);
    insert into photo_search (rowid, ${columns})
      select rowid, ${values('new')} from photo_search_rows where photo_id = new.id;
    ${sqliteAddTags}
  end`)
    .execute(db);
  // An update of a row that FTS5 holds is a delete and an insert: only when a followed column changed.
  await sql
    .raw(`create trigger photos_search_update after update of ${withFacets ? FOLLOWED : 'title, description, tags'} on photos begin
    update photo_search set (${columns}) = (select ${values('new')})
      where rowid = (select rowid from photo_search_rows where photo_id = new.id);
    ${sqliteAddTags}
  end`)
    .execute(db);
  await sql
    .raw(`create trigger photos_search_delete after delete on photos begin
    delete from photo_search where rowid = (select rowid from photo_search_rows where photo_id = old.id);
    delete from photo_search_rows where photo_id = old.id;
  end`)
    .execute(db);
  await sql
    .raw(`insert into photo_search (rowid, ${columns})
    select r.rowid, ${values('p')} from photos p join photo_search_rows r on r.photo_id = p.id`)
    .execute(db);
}

async function upSqlite(db: Kysely<unknown>): Promise<void> {
  await replaceSqliteIndex(db, true);
  await sql
    .raw(`create trigger user_settings_search_insert after insert on user_settings begin
    ${refollowDefault('new.user_id')};
  end`)
    .execute(db);
  await sql
    .raw(`create trigger user_settings_search_update after update of location_visibility_default on user_settings begin
    ${refollowDefault('new.user_id')};
  end`)
    .execute(db);
  await sql
    .raw(`create trigger user_settings_search_delete after delete on user_settings begin
    ${refollowDefault('old.user_id')};
  end`)
    .execute(db);
}

// ---------------------------------------------------------------------------
// PostgreSQL: the facets join the GIN document (weight D); the field vectors,
// and so photo_search_terms (0012), hold text only.

async function replacePostgresSync(
  db: Kysely<unknown>,
  followed: string,
  withFacets: boolean,
): Promise<void> {
  const facets = withFacets ? ` || to_tsvector('simple', ${facetSql('new')})` : '';
  await sql
    .raw(`create or replace function photo_search_sync() returns trigger language plpgsql as $$
  begin
    if tg_op = 'DELETE' then
      delete from photo_search where photo_id = old.id;
      return old;
    end if;
    insert into search_tags (tag)
      select distinct lower(btrim(value)) from jsonb_array_elements_text(new.tags::jsonb)
      where btrim(value) <> ''
      on conflict (tag) do nothing;
    insert into photo_search (photo_id, title_v, tags_v, description_v, document)
      select new.id, v.title_v, v.tags_v, v.description_v,
        setweight(v.title_v, 'A') || setweight(v.tags_v, 'B') || setweight(v.description_v, 'C')${facets}
      from (select to_tsvector('simple', new.title) as title_v,
                   to_tsvector('simple', new.tags::jsonb) as tags_v,
                   to_tsvector('simple', new.description) as description_v) v
    on conflict (photo_id) do update set
      title_v = excluded.title_v, tags_v = excluded.tags_v,
      description_v = excluded.description_v, document = excluded.document;
    return new;
  end $$`)
    .execute(db);
  await sql`drop trigger photos_search_sync on photos`.execute(db);
  await sql
    .raw(`create trigger photos_search_sync
    after insert or delete or update of ${followed} on photos
    for each row execute function photo_search_sync()`)
    .execute(db);
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  await replacePostgresSync(db, FOLLOWED, true);
  await sql
    .raw(`create function user_settings_search_sync() returns trigger language plpgsql as $$
  begin
    if tg_op = 'DELETE' then
      ${refollowDefault('old.user_id')};
    else
      ${refollowDefault('new.user_id')};
    end if;
    return null;
  end $$`)
    .execute(db);
  await sql`create trigger user_settings_search_sync
    after insert or delete or update of location_visibility_default on user_settings
    for each row execute function user_settings_search_sync()`.execute(db);
  // Photos indexed before: their documents gain the facets (the text, and so
  // photo_search_terms, is unchanged).
  await sql
    .raw(`update photo_search s set document = setweight(s.title_v, 'A') || setweight(s.tags_v, 'B')
      || setweight(s.description_v, 'C')
      || to_tsvector('simple', ${facetSql('p')})
    from photos p where p.id = s.photo_id`)
    .execute(db);
}
