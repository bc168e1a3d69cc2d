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
 * How a published file is answered, whoever sends its bytes (this server,
 * or the bucket a redirect points to). Files never change under a key:
 * long cache lifetimes, public only for public photos.
 */
export function fileCaching(
  visibility: 'public' | 'private' | undefined,
  extension: string,
): DirectUrlHeaders {
  return {
    cacheControl: `${visibility === 'public' ? 'public' : 'private'}, max-age=31536000, immutable`,
    contentType: contentTypeFor(extension),
  };
}

/** The headers of a whole published file's answer. */
export function fileHeaders(
  info: BlobInfo,
  visibility: 'public' | 'private' | undefined,
  extension: string,
): Record<string, string> {
  const { cacheControl, contentType } = fileCaching(visibility, extension);
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
