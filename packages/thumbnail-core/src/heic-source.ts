import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { type DecodeOptions, resolveDecodeOptions } from './decode-options.ts';
import { CorruptImageError, ImageTooLargeError, ThumbnailError } from './errors.ts';
import { type DecodedHeic, decodeHeic, HeicDecoderFailure } from './heic-decoder.ts';
import { type HeifHeader, readHeifHeader } from './heif-header.ts';
import type { ImageInput } from './image-input.ts';
import { heifCorrupt } from './iso-bmff.ts';
import { libvipsError } from './libvips-error.ts';
import type { SourceHeader, SourceImage } from './source-image.ts';

/**
 * A HEIC source. Sharp's prebuilt libvips has no HEVC decoder, so libheif
 * (compiled to WebAssembly, on a worker thread: heic-decoder.ts) decodes
 * the primary image, upright, and libvips takes the pixels from there: the
 * same resize and encode as every other format, so the output is as
 * deterministic. The header comes from the file's boxes (heif-header.ts),
 * so a probe never loads libheif, and the pixel limit is checked before
 * anything decodes.
 *
 * @param head the first bytes of the input, already read
 */
export async function openHeicSource(
  input: ImageInput,
  head: Uint8Array,
  options?: DecodeOptions,
): Promise<SourceImage> {
  const { pixelLimit, timeoutSeconds } = resolveDecodeOptions(options);

  let heif: Promise<HeifHeader> | undefined;
  const readHeader = () => {
    heif ??= readHeifHeader(input, head)
      .catch(typedHeaderError)
      .then((parsed) => {
        // The coded size is what libheif allocates, whatever a crop then leaves.
        if (parsed.codedWidth * parsed.codedHeight > pixelLimit) {
          throw new ImageTooLargeError(parsed.codedWidth, parsed.codedHeight, pixelLimit);
        }
        return parsed;
      });
    return heif;
  };

  let decoded: Promise<DecodedHeic> | undefined;
  const decode = async (): Promise<DecodedHeic> => {
    const parsed = await readHeader();
    // The worker takes the bytes over: a caller's buffer is copied, a file read afresh.
    const bytes = typeof input === 'string' ? await readFile(input) : new Uint8Array(input);
    const image = await decodeHeic(bytes, {
      pixelLimit,
      timeoutSeconds,
      iccProfile: parsed.iccProfile,
    });
    if (image.width !== parsed.displayWidth || image.height !== parsed.displayHeight) {
      throw new CorruptImageError(
        `HEIC image decodes to ${image.width}×${image.height}, not the ${parsed.displayWidth}×${parsed.displayHeight} its header declares`,
      );
    }
    return image;
  };

  return {
    format: 'heic',
    header: async (): Promise<SourceHeader> => {
      const parsed = await readHeader();
      const turned = parsed.orientation >= 5;
      return {
        storedWidth: turned ? parsed.displayHeight : parsed.displayWidth,
        storedHeight: turned ? parsed.displayWidth : parsed.displayHeight,
        orientation: parsed.orientation,
        width: parsed.displayWidth,
        height: parsed.displayHeight,
        hasAlpha: parsed.hasAlpha,
        frames: 1,
        colorSpace: 'srgb',
        hasIccProfile: parsed.iccProfile !== undefined,
        exif: parsed.exif,
      };
    },
    // Decoded once however many pipelines are made: a HEIC decode is the expensive part.
    pipeline: async (): Promise<Sharp> => {
      decoded ??= decode();
      const { tiff } = await decoded;
      return sharp(tiff, {
        failOn: 'error',
        limitInputPixels: pixelLimit,
        autoOrient: true,
      }).timeout({ seconds: timeoutSeconds });
    },
    dcOnlyPipeline: async () => undefined,
    fail: async (error) => {
      if (error instanceof HeicDecoderFailure) throw error;
      return libvipsError(error, 'heic');
    },
  };
}

/** The box reader throws typed errors; anything else it meets is about the file too, unless the file system's. */
function typedHeaderError(error: unknown): never {
  if (error instanceof ThumbnailError || (error as NodeJS.ErrnoException | undefined)?.code)
    throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw heifCorrupt(message, { cause: error });
}
