import { z } from 'zod';
import { Id, IdParams, PhotoStatus, Sha256, Timestamp, Visibility } from './common.ts';
import { defineOperation } from './operation.ts';

export const Rendition = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  format: z.enum(['jpeg', 'webp', 'png', 'avif']),
  renderedBy: z.enum(['client', 'server']),
  specVersion: z.string(),
});
export type Rendition = z.infer<typeof Rendition>;

export const AlbumRef = z.object({ id: Id, name: z.string() });

export const Location = z.object({ latitude: z.number(), longitude: z.number() });

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
  commentsEnabled: z.boolean(),
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
  location: Location.nullable(),
  placeholder: z.string().nullable().describe('ThumbHash, base64'),
  renditions: z.array(Rendition),
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
  access: 'read',
  params: IdParams,
  status: 200,
  response: Photo,
  errors: ['not_found'],
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
