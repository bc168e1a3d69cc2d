import { z } from 'zod';
import { Id, PhotoStatus, Sha256, Timestamp, Visibility } from './common.ts';
import { FollowEntry } from './follows.ts';
import { defineOperation } from './operation.ts';
import { AlbumRef, Location } from './photos.ts';
import { ProfileVisibility } from './profiles.ts';
import { Grant } from './shares.ts';

/** The version of the export document; a change that breaks readers gets a new one. */
export const ACCOUNT_EXPORT_FORMAT = 'flickr-kit-export/1';

/** A photo's metadata as exported: everything but its files (`sync pull --sidecars` has those). */
export const ExportedPhoto = z.object({
  id: Id,
  sha256: Sha256.describe('The original’s SHA-256: matches the file `sync pull` downloads'),
  originalName: z.string(),
  bytes: z.number().int(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  album: AlbumRef.nullable().describe('null: the default album'),
  visibility: Visibility,
  commentsEnabled: z.boolean(),
  status: PhotoStatus,
  format: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  capturedAt: z.string().nullable(),
  camera: z.string().nullable(),
  location: Location.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ExportedPhoto = z.infer<typeof ExportedPhoto>;

/** One of your comments, on your photos or anyone else’s. */
export const ExportedComment = z.object({
  id: Id,
  photoId: Id,
  text: z.string(),
  createdAt: Timestamp,
  editedAt: Timestamp.nullable(),
});

export const ExportedFavorite = z.object({ photoId: Id, favoritedAt: Timestamp });

/**
 * Everything the server holds of an account but its files, as one JSON
 * document. The server streams it (photos, comments, favorites and follows
 * are written a batch at a time), so its size is not bounded by memory.
 */
export const AccountExport = z.object({
  format: z.literal(ACCOUNT_EXPORT_FORMAT),
  exportedAt: Timestamp,
  profile: z.object({
    id: Id,
    username: z.string(),
    createdAt: Timestamp,
    visibility: ProfileVisibility,
  }),
  settings: z.object({ commentsEnabledByDefault: z.boolean() }),
  albums: z.array(z.object({ id: Id, name: z.string(), createdAt: Timestamp })),
  sharesGranted: z.array(Grant).describe('Whom you shared all your photos with'),
  sharesReceived: z.array(Grant).describe('Who shared all their photos with you'),
  photos: z.array(ExportedPhoto).describe('Newest first; deleted photos are left out'),
  comments: z.array(ExportedComment).describe('Oldest first'),
  favorites: z.array(ExportedFavorite).describe('Most recently added first'),
  followers: z.array(FollowEntry).describe('Newest first'),
  following: z.array(FollowEntry).describe('Newest first'),
});
export type AccountExport = z.infer<typeof AccountExport>;

export const exportAccount = defineOperation({
  id: 'exportAccount',
  method: 'GET',
  path: '/v1/me/export',
  summary:
    'Your data as one JSON document: profile, settings, albums, photo metadata, comments, favorites, follows, shares',
  tag: 'account',
  access: 'read',
  status: 200,
  response: AccountExport,
  errors: [],
});
