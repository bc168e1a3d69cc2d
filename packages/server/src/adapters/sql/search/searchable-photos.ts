import { type RawBuilder, sql } from 'kysely';
import type {
  SearchFilter,
  SearchHit,
  SearchPosition,
  SearchViewer,
} from '../../../ports/search-index.ts';
import { toRecord } from '../repositories/photos.ts';
import { SETTINGS_DEFAULTS } from '../repositories/user-settings.ts';
import type { PhotosTable } from '../schema.ts';

// The SQL both search adapters share: which photos (alias `p`) a viewer may
// find, the filters, and the keyset. Only the text matching differs by database.

/**
 * The access rule of domain/access.ts, as SQL over every owner at once: a
 * viewer finds a photo if it is theirs, or it is ready and public (and its
 * owner's profile is public), or ready
 * and its owner granted them; never a deleted one. Administrators find every
 * live photo, as they list them.
 */
function visibleTo(viewer: SearchViewer): RawBuilder<unknown> {
  const live = sql`p.deleted_at is null`;
  if (viewer.isAdmin) return live;
  if (!viewer.userId)
    return sql`${live} and p.status = 'ready' and p.visibility = 'public' and ${profileIsPublic}`;
  const me = viewer.userId;
  // As everywhere (domain/access.ts): a private profile shows nothing to a
  // stranger, its public photos included; those it shared with see it all.
  return sql`${live} and (p.owner_id = ${me} or (
    p.status = 'ready'
    and ((p.visibility = 'public' and ${profileIsPublic})
      or exists (select 1 from grants g where g.sharer_id = p.owner_id and g.viewer_id = ${me}))
  ))`;
}

/** Whether the photo's owner keeps a public profile (a private one is never found by strangers). */
const profileIsPublic = sql`exists (select 1 from users u where u.id = p.owner_id and u.profile_visibility = 'public')`;

/**
 * Whether the viewer sees the photo's location, the rule of
 * domain/location-privacy.ts in SQL: the photo's own setting, or else its
 * owner's default (`shared` for an owner who never chose). Among photos the
 * viewer finds, a grant means `shared` (or `anyone`) shows it; without one,
 * only `anyone` does.
 */
function locationShownTo(viewer: SearchViewer): RawBuilder<unknown> {
  const level = sql`coalesce(p.location_visibility, (select s.location_visibility_default from user_settings s where s.user_id = p.owner_id), ${SETTINGS_DEFAULTS.locationVisibilityDefault})`;
  if (viewer.isAdmin) return sql`1 = 1`;
  if (!viewer.userId) return sql`${level} = 'anyone'`;
  return sql`(p.owner_id = ${viewer.userId} or ${level} = 'anyone' or (${level} = 'shared'
    and exists (select 1 from grants g where g.sharer_id = p.owner_id and g.viewer_id = ${viewer.userId})))`;
}

/**
 * Every condition a found photo meets: the access rule and the filters.
 * Only the tag filter differs by database (JSON functions differ), so the
 * adapter says how to test that `p.tags` holds a tag, lowercased.
 */
export function photoConditions(
  viewer: SearchViewer,
  filter: SearchFilter,
  hasTag: (tag: string) => RawBuilder<unknown>,
): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [visibleTo(viewer)];
  if (filter.tag) where.push(hasTag(filter.tag.toLowerCase()));
  if (filter.ownerId) where.push(sql`p.owner_id = ${filter.ownerId}`);
  if (filter.albumId) where.push(sql`p.album_id = ${filter.albumId}`);
  if (filter.visibility) where.push(sql`p.visibility = ${filter.visibility}`);
  // Capture times are camera wall-clock ISO text: their first ten characters are the date.
  if (filter.takenFrom) where.push(sql`substr(p.captured_at, 1, 10) >= ${filter.takenFrom}`);
  if (filter.takenTo) where.push(sql`substr(p.captured_at, 1, 10) <= ${filter.takenTo}`);
  // A location the viewer may not see is, to them, no location.
  if (filter.hasLocation === true)
    where.push(sql`p.latitude is not null and ${locationShownTo(viewer)}`);
  if (filter.hasLocation === false)
    where.push(sql`not (p.latitude is not null and ${locationShownTo(viewer)})`);
  return where;
}

/**
 * Strictly after a position of the order `score desc, key desc`, over the
 * columns `score` and the adapter's key column (its key read back as the
 * column's type).
 */
export const afterPosition = (
  after: SearchPosition | undefined,
  keyColumn: RawBuilder<unknown>,
  key: (text: string) => unknown,
): RawBuilder<unknown> =>
  after
    ? sql`(score < ${after.score} or (score = ${after.score} and ${keyColumn} < ${key(after.key)}))`
    : sql`1 = 1`;

/** Joins conditions with `and`; none is true. */
export const allOf = (conditions: RawBuilder<unknown>[]): RawBuilder<unknown> =>
  conditions.length === 0 ? sql`1 = 1` : sql.join(conditions, sql` and `);

/** A row of `p.*` plus its score and key, as the repositories' records. */
export function toHit(
  row: PhotosTable & { searchScore: number; searchKey: string | number },
): SearchHit {
  const { searchScore, searchKey, ...photo } = row;
  return { photo: toRecord(photo), score: Number(searchScore), key: String(searchKey) };
}

/** A photo the index found, by the adapter's key, with its score. */
export interface Candidate<Key> {
  key: Key;
  score: number;
}

/** Candidates in order, a batch at a time: the first of `first`, each next twice as many, up to `most`. */
export function* inBatches<Key>(
  candidates: Candidate<Key>[],
  first: number,
  most: number,
): Generator<Candidate<Key>[]> {
  for (
    let at = 0, size = first;
    at < candidates.length;
    at += size, size = Math.min(size * 2, most)
  )
    yield candidates.slice(at, at + size);
}
