import { z } from 'zod';
import { Id, IdParams, Timestamp } from './common.ts';
import { defineOperation } from './operation.ts';
import { PageQuery, pageOf } from './pagination.ts';
import { Photo } from './photos.ts';

/** Where the caller stands with a photo's favorites, after adding or removing theirs. */
export const FavoriteState = z.object({
  photoId: Id,
  favorited: z.boolean().describe('Whether the caller has the photo among their favorites now'),
  favoriteCount: z.number().int().describe('How many users have it among their favorites'),
});
export type FavoriteState = z.infer<typeof FavoriteState>;

/** One of the caller's favorites: the photo as they may see it now, and since when. */
export const Favorite = z.object({
  favoritedAt: Timestamp,
  photo: Photo,
});
export type Favorite = z.infer<typeof Favorite>;

export const favoritePhoto = defineOperation({
  id: 'favoritePhoto',
  method: 'PUT',
  path: '/v1/photos/:id/favorite',
  summary: 'Add a photo you may see to your favorites; doing it again changes nothing',
  tag: 'favorites',
  access: 'write',
  params: IdParams,
  status: 200,
  response: FavoriteState,
  errors: ['not_found'],
});

export const unfavoritePhoto = defineOperation({
  id: 'unfavoritePhoto',
  method: 'DELETE',
  path: '/v1/photos/:id/favorite',
  summary: 'Remove a photo from your favorites; doing it again changes nothing',
  tag: 'favorites',
  access: 'write',
  params: IdParams,
  status: 200,
  response: FavoriteState,
  errors: ['not_found'],
});

export const listFavorites = defineOperation({
  id: 'listFavorites',
  method: 'GET',
  path: '/v1/me/favorites',
  summary:
    'Your favorites, the most recently added first; only photos you may still see are listed',
  tag: 'favorites',
  access: 'read',
  query: PageQuery,
  status: 200,
  response: pageOf(Favorite),
  errors: ['invalid_cursor'],
});
