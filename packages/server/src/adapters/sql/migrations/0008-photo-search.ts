import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Search over photo titles, descriptions and tags (ports/search-index.ts).
//
// The index holds text only: who may see a photo is decided at query time by
// joining photos and grants, so a privacy change, a grant or a revoke needs
// no re-indexing. Triggers on `photos` keep the index and the tag vocabulary
// in step with every insert, edit and purge, in the writing statement's own
// transaction, whichever code path writes (upload pivot, PATCH, purge job,
// bulk seeding): there is no rebuild to schedule and nothing to forget.
//
// The tag vocabulary (`search_tags`: every distinct lowercased tag ever
// given) is what typo- and prefix-tolerant tag matching looks candidates up
// in: FTS5's trigram tokenizer on SQLite, pg_trgm on PostgreSQL. It only
// grows: a tag no photo carries any more costs a wasted expansion, never a
// wrong result. Counting uses instead had every upload update its tags' rows:
// hot rows that serialized concurrent uploads with a common tag, and on
// PostgreSQL so many dead row versions that a vocabulary of 300 tags took
// 40 ms to search after 10,000 uploads (4 ms once vacuumed).

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await upPostgres(db);
  else await upSqlite(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger if exists photos_search_sync on photos`.execute(db);
    await sql`drop function if exists photo_search_sync()`.execute(db);
    await sql`drop function if exists search_tag_candidates(text, integer)`.execute(db);
    await sql`drop table if exists photo_search`.execute(db);
    await sql`drop table if exists search_tags`.execute(db);
    return;
  }
  for (const trigger of ['photos_search_insert', 'photos_search_update', 'photos_search_delete'])
    await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db);
  for (const table of ['search_tag_trigrams', 'search_tags', 'photo_search', 'photo_search_rows'])
    await sql`drop table if exists ${sql.id(table)}`.execute(db);
}

// ---------------------------------------------------------------------------
// SQLite: FTS5.

/** A photo's tags as one text for the index: the JSON array's strings, space-separated. */
const sqliteTagText = (row: string) =>
  `(select group_concat(value, ' ') from json_each(${row}.tags))`;

/** Adds a photo's tags to the vocabulary; those it has already are left alone (no row is rewritten). */
const sqliteAddTags = `insert or ignore into search_tags (tag)
  select distinct lower(trim(value)) from json_each(new.tags) where trim(value) <> '';`;

async function upSqlite(db: Kysely<unknown>): Promise<void> {
  // FTS5 rows need integer rowids, and the photos table's own rowid may be
  // renumbered by VACUUM (it has a text primary key): this table gives each
  // photo a rowid of its own, and the trigger a way from a photo to its row.
  await sql`create table photo_search_rows (
    rowid integer primary key,
    photo_id text not null unique
  )`.execute(db);
  // Column order matters to queries: 0 title, 1 tags, 2 description.
  // Accents count (no remove_diacritics), as with PostgreSQL's 'simple'
  // configuration: a query finds the same photos on both databases.
  await sql`create virtual table photo_search using fts5(
    title, tags, description,
    tokenize = 'unicode61 remove_diacritics 0'
  )`.execute(db);
  await sql`create table search_tags (
    id integer primary key,
    tag text not null unique
  )`.execute(db);
  // External content: the trigram index reads tags from search_tags, and
  // follows it through the two triggers below (a tag's text never changes).
  await sql`create virtual table search_tag_trigrams using fts5(
    tag, content = 'search_tags', content_rowid = 'id', tokenize = 'trigram'
  )`.execute(db);
  await sql`create trigger search_tags_insert after insert on search_tags begin
    insert into search_tag_trigrams (rowid, tag) values (new.id, new.tag);
  end`.execute(db);
  await sql`create trigger search_tags_delete after delete on search_tags begin
    insert into search_tag_trigrams (search_tag_trigrams, rowid, tag) values ('delete', old.id, old.tag);
  end`.execute(db);

  await sql
    .raw(`create trigger photos_search_insert after insert on photos begin
    insert into photo_search_rows (photo_id) values (new.id);
    insert into photo_search (rowid, title, tags, description)
      select rowid, new.title, ${sqliteTagText('new')}, new.description
      from photo_search_rows where photo_id = new.id;
    ${sqliteAddTags}
  end`)
    .execute(db);
  await sql
    .raw(`create trigger photos_search_update after update of title, description, tags on photos begin
    update photo_search set title = new.title, tags = ${sqliteTagText('new')}, description = new.description
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

  // Photos recorded before this migration.
  await sql`insert into photo_search_rows (photo_id) select id from photos order by id`.execute(db);
  await sql
    .raw(`insert into photo_search (rowid, title, tags, description)
    select r.rowid, p.title, ${sqliteTagText('p')}, p.description
    from photos p join photo_search_rows r on r.photo_id = p.id`)
    .execute(db);
  await sql`insert into search_tags (tag)
    select distinct lower(trim(t.value)) from photos p, json_each(p.tags) t
    where trim(t.value) <> ''`.execute(db);
}

// ---------------------------------------------------------------------------
// PostgreSQL: tsvector + GIN, and pg_trgm for the tag vocabulary.

/**
 * Installs pg_trgm in `public` unless the database has it already, and
 * answers the schema it lives in; undefined when it cannot be installed (no
 * contrib package, or a role without the right): tags then match by prefix
 * only. Never in the deployment's own schema: dropping that schema (as every
 * test run does) would drop the extension under every other schema's indexes.
 */
async function trigramSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const installed = async () =>
    (
      await sql<{ schema: string }>`
        select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_trgm'`.execute(
        db,
      )
    ).rows[0]?.schema;
  // Parallel migrations (several servers starting on one database) would race to create it.
  await sql`select pg_advisory_xact_lock(hashtext('flickr-kit:pg_trgm'))`.execute(db);
  const existing = await installed();
  if (existing) return existing;
  await sql`savepoint install_pg_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`release savepoint install_pg_trgm`.execute(db);
  } catch {
    // Without it search still works; the failure aborted only the savepoint.
    await sql`rollback to savepoint install_pg_trgm`.execute(db);
  }
  return installed();
}

async function upPostgres(db: Kysely<unknown>): Promise<void> {
  // One vector per field, to score by field without taking the document
  // apart per row (ts_filter), and their concatenation for the GIN index.
  await sql`create table photo_search (
    photo_id text primary key,
    title_v tsvector not null,
    tags_v tsvector not null,
    description_v tsvector not null,
    document tsvector not null
  )`.execute(db);
  await sql`create index photo_search_document on photo_search using gin (document) with (fastupdate = off)`.execute(
    db,
  );
  await sql`create table search_tags (
    tag text collate "C" primary key
  )`.execute(db);

  const trgm = await trigramSchema(db);
  if (trgm) {
    // GiST, not GIN: it orders by trigram distance (k-nearest), so the
    // closest tags come first without a similarity threshold to tune.
    await sql`create index search_tags_trigrams on search_tags using gist (tag ${sql.raw(`${quoteIdent(trgm)}.gist_trgm_ops`)})`.execute(
      db,
    );
    await sql
      .raw(`create function search_tag_candidates(term text, n integer) returns setof text
      language sql stable as $$
        select tag from search_tags order by tag operator(${quoteIdent(trgm)}.<->) term limit n
      $$`)
      .execute(db);
  } else {
    await sql`create function search_tag_candidates(term text, n integer) returns setof text
      language sql stable as $$
        select tag from search_tags where tag like term || '%' order by length(tag), tag limit n
      $$`.execute(db);
  }

  // Weights in the document name the fields: A title, B tags, C description. The 'simple'
  // configuration (lowercase, no stemming, no stop words) tokenizes as FTS5's
  // unicode61 does, so a query finds the same photos on both databases.
  await sql`create function photo_search_sync() returns trigger language plpgsql as $$
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
        setweight(v.title_v, 'A') || setweight(v.tags_v, 'B') || setweight(v.description_v, 'C')
      from (select to_tsvector('simple', new.title) as title_v,
                   to_tsvector('simple', new.tags::jsonb) as tags_v,
                   to_tsvector('simple', new.description) as description_v) v
    on conflict (photo_id) do update set
      title_v = excluded.title_v, tags_v = excluded.tags_v,
      description_v = excluded.description_v, document = excluded.document;
    return new;
  end $$`.execute(db);
  await sql`create trigger photos_search_sync
    after insert or delete or update of title, description, tags on photos
    for each row execute function photo_search_sync()`.execute(db);

  // Photos recorded before this migration.
  await sql`insert into photo_search (photo_id, title_v, tags_v, description_v, document)
    select id, title_v, tags_v, description_v,
      setweight(title_v, 'A') || setweight(tags_v, 'B') || setweight(description_v, 'C')
    from (select id, to_tsvector('simple', title) as title_v,
                 to_tsvector('simple', tags::jsonb) as tags_v,
                 to_tsvector('simple', description) as description_v from photos) v`.execute(db);
  await sql`insert into search_tags (tag)
    select distinct lower(btrim(t)) from photos p, jsonb_array_elements_text(p.tags::jsonb) t
    where btrim(t) <> ''`.execute(db);
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
