import { z } from 'zod';
import { AlbumName } from './albums.ts';
import { Id, PhotoStatus, Sha256, Visibility } from './common.ts';
import { defineOperation } from './operation.ts';
import { Photo } from './photos.ts';
import { storedText } from './stored-text.ts';

/** The most hashes one dedup check may carry. */
export const MAX_HASHES_PER_CHECK = 1000;

export const CheckHashesRequest = z.object({
  sha256: z.array(Sha256).min(1).max(MAX_HASHES_PER_CHECK),
});

export const KnownFile = z.object({ sha256: Sha256, photoId: Id, status: PhotoStatus });

export const CheckHashesResponse = z.object({
  existing: z.array(KnownFile).describe('Hashes the caller already has, with their photos'),
  missing: z.array(Sha256).describe('Hashes to upload'),
});
export type CheckHashesResponse = z.infer<typeof CheckHashesResponse>;

export const RenditionSpecInfo = z.object({
  name: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  fit: z.enum(['inside', 'cover']),
  format: z.enum(['jpeg', 'webp', 'png', 'avif']),
  quality: z.number().int(),
});

/** The server's policies, so clients can adapt their concurrency and rendering. */
export const Limits = z.object({
  maxUploadBytes: z.number().int(),
  pixelLimit: z.number().int(),
  uploadsInFlightPerUser: z.number().int(),
  originalDownloadsInFlightPerUser: z.number().int(),
  freeTierPhotos: z.number().int(),
  maxHashesPerCheck: z.number().int(),
  registration: z.enum(['open', 'closed']),
  tusEndpoint: z.string().describe('Path of the tus 1.0 upload endpoint'),
  clientRendering: z.object({
    specVersion: z.string().describe('RENDER_SPEC_VERSION a client thumbnail must match'),
    maxBytes: z.number().int(),
    spec: RenditionSpecInfo.describe('The thumbnail spec a client renders'),
  }),
  renditions: z.array(RenditionSpecInfo),
});
export type Limits = z.infer<typeof Limits>;

/** The client-side renderer's header for a thumbnail sent with an upload. */
export const CLIENT_THUMBNAIL_MAX_BYTES = 16 * 1024;

/**
 * Metadata sent with a tus upload (`Upload-Metadata`, values base64 as tus
 * requires); every field is optional, so any tus client can upload. A client
 * that rendered the thumbnail itself sends it in `thumbnail` (base64 of the
 * JPEG) with the renderer's `thumbnailSpecVersion` and its own `clientVersion`.
 */
export const UploadMetadata = z.object({
  filename: storedText()
    .min(1)
    .max(255)
    .refine(
      (name) => !/[/\\\0]/.test(name) && name !== '.' && name !== '..',
      'must be a file name, not a path',
    )
    .optional()
    .describe('The original file name; without one, the upload id and the format’s extension'),
  sha256: Sha256.optional().describe(
    'Lowercase hex SHA-256 of the whole file, verified when the last byte lands (a mismatch is `hash_mismatch`, nothing kept). Without it the server dedups on the hash it computes as the bytes arrive',
  ),
  title: storedText().max(255).optional(),
  description: storedText({ multiline: true }).max(10_000).optional(),
  tags: storedText().max(2000).optional().describe('Comma-separated'),
  album: AlbumName.optional().describe('Album name; created when missing'),
  visibility: Visibility.optional(),
  filetype: storedText().max(100).optional(),
  clientVersion: storedText().max(100).optional(),
  thumbnail: z
    .string()
    .max(Math.ceil((CLIENT_THUMBNAIL_MAX_BYTES * 4) / 3) + 4)
    .optional(),
  thumbnailSpecVersion: storedText().max(100).optional(),
});
export type UploadMetadata = z.infer<typeof UploadMetadata>;

/** The body of the final tus `PATCH` (or `POST` with the whole file): the pivot has happened. */
export const UploadResult = z.object({
  photo: Photo,
  duplicate: z
    .boolean()
    .describe('true when the caller already had this file: nothing new was stored'),
  clientThumbnail: z
    .enum(['accepted', 'rejected', 'absent'])
    .describe('Whether the server kept the thumbnail the client sent'),
});
export type UploadResult = z.infer<typeof UploadResult>;

export const TUS_PATH = '/v1/uploads/files';

export const getLimits = defineOperation({
  id: 'getLimits',
  method: 'GET',
  path: '/v1/limits',
  summary: 'The server’s upload and download policies',
  tag: 'uploads',
  access: 'public',
  status: 200,
  response: Limits,
  errors: [],
});

export const checkHashes = defineOperation({
  id: 'checkHashes',
  method: 'POST',
  path: '/v1/uploads/check',
  summary: 'Which of up to 1,000 SHA-256 hashes the caller already has',
  tag: 'uploads',
  access: 'read',
  body: CheckHashesRequest,
  status: 200,
  response: CheckHashesResponse,
  errors: [],
});
