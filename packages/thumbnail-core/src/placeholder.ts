import { rgbaToThumbHash } from 'thumbhash';
import type { DecodeOptions } from './decode-options.ts';
import type { ImageInput } from './image-input.ts';
import { openSource } from './source-image.ts';

/** ThumbHash encodes images of at most 100 × 100 pixels. */
const THUMBHASH_MAX = 100;

/**
 * A ThumbHash of the upright image, base64-encoded (about 30 bytes, 40
 * characters): enough for a client to paint a blurred preview, with the
 * right aspect ratio and alpha, before any thumbnail arrives.
 *
 * @throws {UnsupportedFormatError | CorruptImageError | ImageTooLargeError}
 */
export async function placeholder(input: ImageInput, options?: DecodeOptions): Promise<string> {
  const source = await openSource(input, options);
  try {
    const { data, info } = await (await source.pipeline())
      .resize({ width: THUMBHASH_MAX, height: THUMBHASH_MAX, fit: 'inside' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64');
  } catch (error) {
    throw await source.fail(error);
  }
}
