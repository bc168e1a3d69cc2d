import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Search that reads a page without scoring every match, on PostgreSQL.
//
// A GIN index over tsvectors answers "which photos hold this word" in no
// order: ranking them meant fetching and testing every match's vectors, a
// few µs a match, so a common word (a fifth of 100,000 photos) cost 20-50 ms
// and grew with the photos. `photo_search_terms` holds the same words as a
// B-tree, one row per photo and word with the fields it is in (4 title, 2
// tags, 1 description): the word's score for that photo, as
// ports/search-index.ts defines it.
// Walked by (term, fields desc, photo_id desc) it yields a word's matches in
// result order, so a page reads about as many rows as it shows, however many
// photos match. The partial index lists the photos that carry a word among
// their tags, newest first: where a typo or a prefix of a tag leads.
//
// A trigger on photo_search keeps it in step, in the same transaction as
// the photo's insert, edit or purge (photo_search follows photos by 0008's
// trigger), from the very vectors search matches against, so both always
// agree on what a word is. SQLite needs none of this: FTS5 walks a word's
// matches in rowid order already.

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // A photo's words and the fields each is in, from its three vectors (distinct lexemes each).
  await sql`create function photo_search_lexemes(title_v tsvector, tags_v tsvector, description_v tsvector)
    returns table (term text, fields smallint) language sql immutable as $$
      select term, sum(bit)::smallint from (
        select unnest(tsvector_to_array(title_v)) as term, 4 as bit
        union all select unnest(tsvector_to_array(tags_v)), 2
        union all select unnest(tsvector_to_array(description_v)), 1
      ) lexemes group by term
    $$`.execute(db);
  await sql`create table photo_search_terms (
    term text not null,
    fields smallint not null,
    photo_id text not null,
    primary key (term, fields, photo_id)
  )`.execute(db);
  await sql`create index photo_search_terms_tagged on photo_search_terms (term, photo_id)
    where fields in (2, 3, 6, 7)`.execute(db);
  // Only what changed is written: an edit of the title leaves the description's rows alone.
  await sql`create function photo_search_terms_sync() returns trigger language plpgsql as $$
  begin
    if tg_op <> 'INSERT' then
      delete from photo_search_terms t using (
        select * from photo_search_lexemes(old.title_v, old.tags_v, old.description_v)
        except
        select * from photo_search_lexemes(new.title_v, new.tags_v, new.description_v)
      ) gone
      where t.term = gone.term and t.fields = gone.fields and t.photo_id = old.photo_id;
    end if;
    if tg_op <> 'DELETE' then
      insert into photo_search_terms (term, fields, photo_id)
        select term, fields, new.photo_id from (
          select * from photo_search_lexemes(new.title_v, new.tags_v, new.description_v)
          except
          select * from photo_search_lexemes(old.title_v, old.tags_v, old.description_v)
        ) added;
    end if;
    return null;
  end $$`.execute(db);
  await sql`create trigger photo_search_terms_sync
    after insert or update or delete on photo_search
    for each row execute function photo_search_terms_sync()`.execute(db);
  // Photos indexed before this migration.
  await sql`insert into photo_search_terms (term, fields, photo_id)
    select l.term, l.fields, s.photo_id
    from photo_search s, lateral photo_search_lexemes(s.title_v, s.tags_v, s.description_v) l`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`drop trigger if exists photo_search_terms_sync on photo_search`.execute(db);
  await sql`drop function if exists photo_search_terms_sync()`.execute(db);
  await sql`drop table if exists photo_search_terms`.execute(db);
  await sql`drop function if exists photo_search_lexemes(tsvector, tsvector, tsvector)`.execute(db);
}
