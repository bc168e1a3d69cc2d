import { contentTypeFor } from '../../domain/blob-keys.ts';
import type { BlobInfo, DirectUrlHeaders } from '../../ports/blob-store.ts';

/** Keys are `<user>/<album>/<resolution>/<photo id>.<ext>`. */
const KEY = /^([0-9a-f-]{36})\/([0-9a-z-]+)\/([a-z0-9-]+)\/([0-9a-f-]{36})\.([a-z]+)$/;

/** What a published file's key says. */
export interface CdnKey {
  resolution: string;
  photoId: string;
  extension: string;
}

/** Reads a blob key; undefined for anything not shaped like a published file's. */
export function parseCdnKey(key: string): CdnKey | undefined {
  const match = KEY.exec(key);
  if (!match) return undefined;
  const [, , , resolution, photoId, extension] = match as unknown as string[];
  return { resolution, photoId, extension } as CdnKey;
}

/**
 * How long a cache may keep an answer to a URL that expires at `expires`
 * (epoch seconds): until then, and no longer. A shared cache keys on the
 * whole URL and knows nothing of signatures, so a longer lifetime would keep
 * serving a photo made private, or a viewer revoked, after the URL stopped
 * being valid; within it, the design's minutes hold behind any cache. (An
 * answer kept longer would be of no use anyway: the API hands out a new URL,
 * another cache key, once this one expires.)
 */
export const secondsLeft = (expires: string | null | undefined, nowMs = Date.now()): number =>
  Math.max(0, Math.floor(Number(expires) - nowMs / 1000) || 0);

/**
 * How a published file is answered, whoever sends its bytes (this server,
 * or the bucket a redirect points to): public only for public photos, kept
 * `maxAge` seconds. The bytes under a key never change, hence `immutable`.
 */
export function fileCaching(
  visibility: 'public' | 'private' | undefined,
  extension: string,
  maxAge: number,
): DirectUrlHeaders {
  return {
    cacheControl: `${visibility === 'public' ? 'public' : 'private'}, max-age=${maxAge}, immutable`,
    contentType: contentTypeFor(extension),
  };
}

/** The headers of a whole published file's answer. */
export function fileHeaders(
  info: BlobInfo,
  visibility: 'public' | 'private' | undefined,
  extension: string,
  maxAge: number,
): Record<string, string> {
  const { cacheControl, contentType } = fileCaching(visibility, extension, maxAge);
  return {
    etag: `"${info.etag ?? info.bytes.toString(16)}"`,
    'accept-ranges': 'bytes',
    'cache-control': cacheControl,
    'content-type': contentType,
  };
}

/**
 * A redirect to where the file is served from. The redirect itself is kept
 * by nobody: whether this viewer may still see the photo is asked anew on
 * every request.
 */
export const redirectHeaders = (location: string): Record<string, string> => ({
  location,
  'cache-control': 'no-store',
});
