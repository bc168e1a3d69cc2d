import type { UploadMetadata } from '@flickr-kit/sdk/contract';
import { CLIENT_THUMBNAIL_MAX_BYTES } from '@flickr-kit/sdk/contract';
import { type ImageProbe, probe, renditionSize } from '@flickr-kit/thumbnail-core';
import type { RenditionPolicy } from './rendition-policy.ts';

export type ClientThumbnailCheck =
  | { status: 'accepted'; data: Buffer }
  | { status: 'rejected'; reason: string }
  | { status: 'absent' };

/**
 * Decides whether to keep a thumbnail the client rendered with
 * thumbnail-core. It must come from the same renderer version, from a client
 * release not on the deny-list, and be the JPEG of the size the thumbnail
 * spec gives for this photo. Anything else is rejected, and the saga renders
 * the thumbnail itself: a bad client thumbnail never fails an upload.
 */
export async function checkClientThumbnail(
  metadata: UploadMetadata,
  source: ImageProbe,
  policy: RenditionPolicy,
): Promise<ClientThumbnailCheck> {
  if (!metadata.thumbnail) return { status: 'absent' };
  if (metadata.thumbnailSpecVersion !== policy.specVersion) {
    return {
      status: 'rejected',
      reason: `spec version ${metadata.thumbnailSpecVersion ?? '(none)'} is not ${policy.specVersion}`,
    };
  }
  if (!metadata.clientVersion || policy.clientDenylist.has(metadata.clientVersion)) {
    return {
      status: 'rejected',
      reason: `client version ${metadata.clientVersion ?? '(none)'} is not trusted to render`,
    };
  }
  const data = Buffer.from(metadata.thumbnail, 'base64');
  if (data.length === 0 || data.length > CLIENT_THUMBNAIL_MAX_BYTES) {
    return { status: 'rejected', reason: `thumbnail is ${data.length} bytes` };
  }
  let thumbnail: ImageProbe;
  try {
    thumbnail = await probe(data, { pixelLimit: 1_000_000 });
  } catch {
    return { status: 'rejected', reason: 'thumbnail is not a readable image' };
  }
  const expected = renditionSize(policy.thumbnail, source.displayWidth, source.displayHeight);
  const format = policy.thumbnail.format ?? 'jpeg';
  if (
    thumbnail.format !== format ||
    Math.abs(thumbnail.width - expected.width) > 1 ||
    Math.abs(thumbnail.height - expected.height) > 1 ||
    thumbnail.orientation !== 1
  ) {
    return {
      status: 'rejected',
      reason: `thumbnail is ${thumbnail.format} ${thumbnail.width}×${thumbnail.height}, expected ${format} ${expected.width}×${expected.height}`,
    };
  }
  return { status: 'accepted', data };
}
