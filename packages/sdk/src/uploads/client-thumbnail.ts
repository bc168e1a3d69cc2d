import type { Limits } from '../contract/uploads.ts';
import { SDK_VERSION } from '../version.ts';

/**
 * The upload metadata fields of a client-rendered thumbnail, or none when
 * the server would not keep it or rendering failed here: then the server
 * renders it, and the upload goes on regardless.
 */
export async function clientThumbnailFields(
  file: { path?: string; buffer?: Buffer },
  limits: Limits,
): Promise<Record<string, string>> {
  // Loaded on first use: sharp costs a process some 30 MB and 50 ms, which
  // downloads, listings and uploads without client thumbnails never need.
  const { RENDER_SPEC_VERSION, renderRenditions } = await import('@flickr-kit/thumbnail-core');
  // A thumbnail the server would refuse is not worth rendering.
  if (limits.clientRendering.specVersion !== RENDER_SPEC_VERSION) return {};
  try {
    const [rendition] = await renderRenditions(
      (file.path ?? file.buffer) as string | Buffer,
      [limits.clientRendering.spec],
      { pixelLimit: limits.pixelLimit },
    );
    if (!rendition || rendition.bytes > limits.clientRendering.maxBytes) return {};
    return {
      thumbnail: rendition.data.toString('base64'),
      thumbnailSpecVersion: RENDER_SPEC_VERSION,
      clientVersion: `flickr-sdk/${SDK_VERSION}`,
    };
  } catch {
    // The server renders it instead: a client-side failure never fails the upload.
    return {};
  }
}
