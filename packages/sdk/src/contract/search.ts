import { z } from 'zod';
import { Id, Username, Visibility } from './common.ts';
import { defineOperation } from './operation.ts';
import { Photo } from './photos.ts';
import { storedText } from './stored-text.ts';

/** A calendar date, `YYYY-MM-DD`. */
const CalendarDate = z.iso.date().describe('A date, YYYY-MM-DD');

/**
 * A photo search: words, and filters that narrow it. Each word must match
 * the title, the description or the tags; among tags, a word also matches
 * tags it begins and tags a typo or two away from it.
 */
export const PhotoSearchQuery = z
  .object({
    // Text a stored title or tag could hold, and nothing else: a NUL would reach the database.
    q: storedText()
      .trim()
      .min(1)
      .max(200)
      .describe(
        'Words to find, all of them, in titles, descriptions or tags. Letters and digits count; everything else separates words (no operators)',
      ),
    owner: Username.optional().describe('Only photos of this user'),
    album: Id.optional().describe('Only photos in this album'),
    tag: storedText()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe('Only photos with this tag (exact, any case)'),
    visibility: Visibility.optional(),
    takenFrom: CalendarDate.optional().describe(
      'Only photos taken on or after this day (camera time)',
    ),
    takenTo: CalendarDate.optional().describe(
      'Only photos taken on or before this day (camera time)',
    ),
    hasLocation: z
      .enum(['true', 'false'])
      .optional()
      .describe('Only photos with (`true`) or without (`false`) a location'),
    cursor: z.string().max(200).optional().describe('A page’s `nextCursor`, for the page after it'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((query) => !(query.takenFrom && query.takenTo && query.takenFrom > query.takenTo), {
    message: 'takenFrom is after takenTo',
    path: ['takenTo'],
  });
export type PhotoSearchQuery = z.input<typeof PhotoSearchQuery>;

/** A page of search results, best first; forward only. */
export const PhotoSearchPage = z.object({
  items: z.array(Photo),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` with the same query for the next page; null on the last'),
});
export type PhotoSearchPage = z.infer<typeof PhotoSearchPage>;

export const searchPhotos = defineOperation({
  id: 'searchPhotos',
  method: 'GET',
  path: '/v1/search/photos',
  summary:
    'Photos the caller may see whose title, description or tags match every word, best match first',
  tag: 'search',
  access: 'public-read',
  query: PhotoSearchQuery,
  status: 200,
  response: PhotoSearchPage,
  errors: ['bad_request', 'invalid_cursor', 'not_found'],
});
