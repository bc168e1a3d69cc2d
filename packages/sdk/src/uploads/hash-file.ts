import { hashFile as streamSha256 } from '@flickr-kit/thumbnail-core/hash';
import type { FileDigest } from './file-digest.ts';

/**
 * A file's SHA-256 and size, streamed in constant memory: what uploads
 * compute, for callers that keep their own hash cache (flickr-cli does) and
 * pass the result to `uploadMany` as each file's `digest`.
 */
export function hashFile(
  source: string | AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<FileDigest> {
  return streamSha256(source, options);
}
