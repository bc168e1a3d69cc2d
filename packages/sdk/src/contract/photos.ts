import { z } from 'zod';
import {
  Id,
  IdParams,
  LocationVisibility,
  PhotoStatus,
  Sha256,
  Timestamp,
  Username,
  Visibility,
} from './common.ts';
import { defineOperation } from './operation.ts';
import { pageOf, pageQueryWith } from './pagination.ts';
import { storedText } from './stored-text.ts';

export const Rendition = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  format: z.enum(['jpeg', 'webp', 'png', 'avif']),
  renderedBy: z.enum(['client', 'server']),
  specVersion: z.string(),
  url: z.string().describe('Signed, short-lived URL into the CDN tier'),
});
export type Rendition = z.infer<typeof Rendition>;

export const AlbumRef = z.object({ id: Id, name: z.string() });

/** A position in decimal degrees (WGS 84), as EXIF and maps have it. */
export const Location = z
  .object({
    latitude: z.number().min(-90).max(90).describe('Decimal degrees, -90 (south) to 90 (north)'),
    longitude: z.number().min(-180).max(180).describe('Decimal degrees, -180 (west) to 180 (east)'),
  })
  .strict();
export type Location = z.infer<typeof Location>;

/** What the owner chose for a photo's location, and what holds now. */
export const LocationPrivacy = z.object({
  override: LocationVisibility.nullable().describe(
    'This photo’s own setting (`locationVisibility`); null follows your account’s `locationVisibilityDefault`',
  ),
  effective: LocationVisibility.describe(
    'Who sees the location now: the override, or else your default',
  ),
});
export type LocationPrivacy = z.infer<typeof LocationPrivacy>;

export const Photo = z.object({
  id: Id,
  ownerId: Id,
  album: AlbumRef.nullable().describe('null: the owner’s default album'),
  sha256: Sha256,
  bytes: z.number().int(),
  originalName: z.string(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  visibility: Visibility,
  commentsEnabled: z
    .boolean()
    .describe('Whether it takes new comments; existing ones stay readable either way'),
  favoriteCount: z.number().int().describe('How many users have it among their favorites'),
  favorited: z
    .boolean()
    .describe('Whether the caller has it among their favorites (false for anonymous callers)'),
  status: PhotoStatus,
  statusReason: z.string().nullable().describe('Why the photo failed, when it did'),
  format: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  capturedAt: z
    .string()
    .nullable()
    .describe('Camera wall-clock time, with its offset when recorded'),
  camera: z.string().nullable(),
  location: Location.nullable().describe(
    'Where it was taken; null when it has none or the owner does not show it to the caller',
  ),
  locationPrivacy: LocationPrivacy.nullable().describe(
    'Who sees the location; shown to the owner (and administrators) only, null for everyone else',
  ),
  placeholder: z.string().nullable().describe('ThumbHash, base64'),
  renditions: z.array(Rendition),
  originalUrl: z.string().nullable().describe('Signed URL of the original, once stored'),
  originalSha256: Sha256.nullable().describe(
    'SHA-256 of the file `originalUrl` serves the caller: `sha256`, or, for a caller who may not see the location, that of the copy without GPS fields once the server has made it (null until then; the download’s `Repr-Digest` names it too)',
  ),
  urlsExpireAt: Timestamp.describe(
    'When the signed URLs stop working: fetch the photo again for new ones',
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Photo = z.infer<typeof Photo>;

export const getPhoto = defineOperation({
  id: 'getPhoto',
  method: 'GET',
  path: '/v1/photos/:id',
  summary: 'A photo’s metadata, status and renditions',
  tag: 'photos',
  access: 'public-read',
  params: IdParams,
  status: 200,
  response: Photo,
  errors: ['not_found'],
});

export const Tags = z.array(storedText().trim().min(1).max(100)).max(50);

export const PhotoChanges = z
  .object({
    title: storedText().max(255),
    description: storedText({ multiline: true }).max(10_000),
    tags: Tags,
    visibility: Visibility,
    commentsEnabled: z.boolean(),
    albumId: Id.nullable().describe('null moves the photo to the default album'),
    location: Location.nullable().describe('Sets or changes the location; null clears it'),
    locationVisibility: LocationVisibility.nullable().describe(
      'Who sees this photo’s location; null follows your account’s `locationVisibilityDefault`',
    ),
  })
  .partial()
  .strict();
export type PhotoChanges = z.input<typeof PhotoChanges>;

export const updatePhoto = defineOperation({
  id: 'updatePhoto',
  method: 'PATCH',
  path: '/v1/photos/:id',
  summary: 'Edit your photo’s title, description, tags, visibility, comments, album or location',
  tag: 'photos',
  access: 'write',
  params: IdParams,
  body: PhotoChanges,
  status: 200,
  response: Photo,
  errors: ['not_found'],
});

export const deletePhoto = defineOperation({
  id: 'deletePhoto',
  method: 'DELETE',
  path: '/v1/photos/:id',
  summary: 'Delete your photo: unreachable at once, files purged later',
  tag: 'photos',
  access: 'delete',
  params: IdParams,
  status: 204,
  errors: ['not_found'],
});

/** A page of photos, optionally of one status. */
export const PhotoPageQuery = pageQueryWith({
  status: PhotoStatus.optional().describe(
    'Only photos with this status. Only their owner (and an administrator) sees photos that are not `ready`: for anyone else, `processing` and `failed` list none',
  ),
});
export type PhotoPageQuery = z.input<typeof PhotoPageQuery>;

export const listUserPhotos = defineOperation({
  id: 'listUserPhotos',
  method: 'GET',
  path: '/v1/users/:username/photos',
  summary: "A user's photos the caller may see, newest first",
  tag: 'photos',
  access: 'public-read',
  params: z.object({ username: Username }),
  query: PhotoPageQuery,
  status: 200,
  response: pageOf(Photo),
  errors: ['not_found', 'invalid_cursor'],
});

export const retryPhoto = defineOperation({
  id: 'retryPhoto',
  method: 'POST',
  path: '/v1/admin/photos/:id/retry',
  summary: 'Send a failed photo through the upload saga again from its parked step',
  tag: 'admin',
  access: 'admin',
  params: IdParams,
  status: 202,
  response: Photo,
  errors: ['not_found', 'conflict'],
});
