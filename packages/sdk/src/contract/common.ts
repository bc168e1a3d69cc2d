import { z } from 'zod';

/** Time-ordered identifiers (UUIDv7): ids sort by creation and leak no counts. */
export const Id = z.uuid().describe('A UUIDv7 identifier');

/** Lowercase hex SHA-256 of a file's whole content. */
export const Sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256 digest)')
  .describe('Lowercase hex SHA-256 of the file');

/** An instant, as an ISO 8601 UTC timestamp with milliseconds. */
export const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');

/** What an API token may do. A login session has every scope its user has. */
export const Scope = z.enum(['read', 'write', 'delete', 'admin']);
export type Scope = z.infer<typeof Scope>;
export const SCOPES = Scope.options;

export const Visibility = z.enum(['public', 'private']);
export type Visibility = z.infer<typeof Visibility>;

/**
 * Who sees a photo's location (and the GPS fields of its original): only its
 * owner, the owner and the users they shared their photos with, or everyone
 * who may see the photo.
 */
export const LocationVisibility = z
  .enum(['owner', 'shared', 'anyone'])
  .describe(
    'Who sees the location: `owner` (only you), `shared` (you and the users you shared your photos with), `anyone` (everyone who may see the photo)',
  );
export type LocationVisibility = z.infer<typeof LocationVisibility>;

/** `processing` until the upload saga has made every rendition; `failed` when a step was parked. */
export const PhotoStatus = z.enum(['processing', 'ready', 'failed']);
export type PhotoStatus = z.infer<typeof PhotoStatus>;

export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"')
  .describe('Lowercase login name, 3-32 characters');

export const IdParams = z.object({ id: Id });
