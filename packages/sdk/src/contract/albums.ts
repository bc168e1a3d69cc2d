import { z } from 'zod';
import { Id, IdParams, Timestamp, Username } from './common.ts';
import { defineOperation } from './operation.ts';
import { pageOf } from './pagination.ts';
import { Photo, PhotoPageQuery } from './photos.ts';
import { storedText } from './stored-text.ts';

export const AlbumName = storedText().trim().min(1).max(200);

export const Album = z.object({
  id: Id,
  ownerId: Id,
  name: AlbumName,
  createdAt: Timestamp,
});
export type Album = z.infer<typeof Album>;

export const createAlbum = defineOperation({
  id: 'createAlbum',
  method: 'POST',
  path: '/v1/albums',
  summary: 'Create an album',
  tag: 'albums',
  access: 'write',
  body: z.object({ name: AlbumName }),
  status: 201,
  response: Album,
  errors: ['conflict'],
});

export const listAlbums = defineOperation({
  id: 'listAlbums',
  method: 'GET',
  path: '/v1/users/:username/albums',
  summary: "A user's albums, by name",
  tag: 'albums',
  access: 'public-read',
  params: z.object({ username: Username }),
  status: 200,
  response: z.object({ items: z.array(Album) }),
  errors: ['not_found'],
});

export const renameAlbum = defineOperation({
  id: 'renameAlbum',
  method: 'PATCH',
  path: '/v1/albums/:id',
  summary: 'Rename an album',
  tag: 'albums',
  access: 'write',
  params: IdParams,
  body: z.object({ name: AlbumName }),
  status: 200,
  response: Album,
  errors: ['not_found', 'conflict'],
});

export const deleteAlbum = defineOperation({
  id: 'deleteAlbum',
  method: 'DELETE',
  path: '/v1/albums/:id',
  summary: 'Delete an album; its photos move to the default album',
  tag: 'albums',
  access: 'delete',
  params: IdParams,
  status: 204,
  errors: ['not_found'],
});

export const listAlbumPhotos = defineOperation({
  id: 'listAlbumPhotos',
  method: 'GET',
  path: '/v1/albums/:id/photos',
  summary: "An album's photos the caller may see, newest first",
  tag: 'albums',
  access: 'public-read',
  params: IdParams,
  query: PhotoPageQuery,
  status: 200,
  response: pageOf(Photo),
  errors: ['not_found', 'invalid_cursor'],
});
