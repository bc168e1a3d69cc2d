import { sql } from 'kysely';
import type { SearchFilter, SearchViewer } from '../../../ports/search-index.ts';
import type { SqlContext } from '../repositories/executor.ts';

// The filters' coarse form as words of the text index (migration 0014), so
// the index intersects them with the query's words and a filtered search
// reads only photos that may pass. Coarse, never wrong: every photo a filter
// keeps holds one word of each group, so the index finds a superset, and the
// exact filters (searchable-photos.ts) still decide. A filter without a
// facet (a tag, an open date range, "has no location") narrows in SQL only.

/** A filtered search with at most this many index matches is ranked whole; more are walked in order. */
export const RANKED_AT_MOST = 2000;

/** A viewer shared with by more owners asks the location facet for any located photo. */
const MAX_SHARERS = 100;

/** Wider closed date ranges are left to SQL: their years would make a long OR. */
const MAX_FACET_YEARS = 50;

/** An id as its facet word (the migration's `replace(id, '-', '')`); undefined if it would not be one token. */
const idWord = (prefix: string, id: string) => {
  const word = `${prefix}${id.replaceAll('-', '')}`;
  return /^[a-z0-9]+$/i.test(word) ? word : undefined;
};

/**
 * The capture months from `from` to `to` (`YYYY-MM-DD`, inclusive), whole
 * years as one word (`y2021`), the rest month by month (`m202105`), and
 * `dateodd` (a capture time that is not an ISO date may pass the exact filter).
 */
function dateWords(from: string, to: string): string[] | undefined {
  const [fromYear, fromMonth] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [toYear, toMonth] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  if (toYear - fromYear > MAX_FACET_YEARS) return undefined;
  const words = ['dateodd'];
  for (let year = fromYear; year <= toYear; year++) {
    const first = year === fromYear ? fromMonth : 1;
    const last = year === toYear ? toMonth : 12;
    if (first === 1 && last === 12) words.push(`y${String(year).padStart(4, '0')}`);
    else
      for (let month = first; month <= last; month++)
        words.push(`m${String(year).padStart(4, '0')}${String(month).padStart(2, '0')}`);
  }
  return words;
}

/**
 * Which located photos may show the viewer their location (migration 0014's
 * location words): any for an administrator; those shown to anyone; and a
 * user's own, and those of owners sharing with them at `shared` or wider.
 */
async function locationWords(
  db: SqlContext['db'],
  viewer: SearchViewer,
): Promise<(string | undefined)[]> {
  if (viewer.isAdmin) return ['geo'];
  if (!viewer.userId) return ['geoanyone'];
  const { rows } = await sql<{ sharerId: string }>`
    select sharer_id from grants where viewer_id = ${viewer.userId} limit ${MAX_SHARERS + 1}`.execute(
    db,
  );
  if (rows.length > MAX_SHARERS) return ['geo'];
  return [
    'geoanyone',
    idWord('go', viewer.userId),
    ...rows.map((row) => idWord('gs', row.sharerId)),
  ];
}

/** Groups of facet words: a photo the filters keep holds one word of every group. */
export async function facetGroups(
  db: SqlContext['db'],
  filter: SearchFilter,
  viewer: SearchViewer,
): Promise<string[][]> {
  const groups: (string | undefined)[][] = [];
  if (filter.ownerId) groups.push([idWord('o', filter.ownerId)]);
  if (filter.albumId) groups.push([idWord('a', filter.albumId)]);
  // Most photos are public: intersecting with them would cost more than it narrows.
  if (filter.visibility === 'private') groups.push(['vprivate']);
  if (filter.hasLocation === true) groups.push(await locationWords(db, viewer));
  if (filter.takenFrom && filter.takenTo)
    groups.push(dateWords(filter.takenFrom, filter.takenTo) ?? []);
  // A group with a word that cannot be one narrows nothing it may safely narrow.
  return groups.filter(
    (group): group is string[] => group.length > 0 && group.every((word) => word !== undefined),
  );
}
