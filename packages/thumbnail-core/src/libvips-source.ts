import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { dcOnlyCopy, frameMarker } from './dc-only-jpeg.ts';
import { type DecodeOptions, resolveDecodeOptions } from './decode-options.ts';
import { CorruptImageError, ImageTooLargeError } from './errors.ts';
import { FIRST_READ_BYTES, type ImageInput } from './image-input.ts';
import { jpegHeaderLength } from './jpeg-header-length.ts';
import { libvipsError } from './libvips-error.ts';
import type { SourceFormat } from './source-format.ts';
import type { SourceHeader, SourceImage } from './source-image.ts';

/** The libvips loader each format must be read by; a mismatch means a disguised file. */
const LOADER: Record<Exclude<SourceFormat, 'heic'>, Metadata['format']> = {
  jpeg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  tiff: 'tiff',
  avif: 'heif',
};

const SOF2 = 0xc2;

/**
 * A source that libvips decodes: every accepted format but HEIC, whose HEVC
 * codec sharp's prebuilt libvips lacks (heic-source.ts).
 *
 * @param head the first bytes of the input, already read
 */
export async function openLibvipsSource(
  input: ImageInput,
  head: Uint8Array,
  format: Exclude<SourceFormat, 'heic'>,
  options?: DecodeOptions,
): Promise<SourceImage> {
  const { pixelLimit, timeoutSeconds } = resolveDecodeOptions(options);
  const loaderOptions: SharpOptions = {
    // A JPEG cut short renders what it holds, the rest grey, as browsers
    // show it: libjpeg only warns of a premature end. libjpeg's errors (a
    // header it cannot read, a bogus marker) still fail whatever this says.
    // Other formats keep failing on decoder errors.
    failOn: format === 'jpeg' ? 'none' : 'error',
    limitInputPixels: pixelLimit,
    autoOrient: true,
    pages: 1,
  };

  let header: Promise<SourceHeader> | undefined;
  const readHeader = async (): Promise<SourceHeader> => {
    let metadata: Metadata;
    try {
      // Header only: the limit is checked below, with the image's size in the message.
      metadata = await sharp(input, { ...loaderOptions, limitInputPixels: false }).metadata();
    } catch (error) {
      throw libvipsError(error, format);
    }
    if (metadata.format !== LOADER[format]) {
      throw new CorruptImageError(
        `File starts like ${format.toUpperCase()} but decodes as ${metadata.format}`,
      );
    }
    if (metadata.width < 1 || metadata.height < 1) {
      throw new CorruptImageError(
        `Image header declares an empty ${metadata.width}×${metadata.height} image`,
      );
    }
    if (metadata.width * metadata.height > pixelLimit) {
      throw new ImageTooLargeError(metadata.width, metadata.height, pixelLimit);
    }
    return {
      storedWidth: metadata.width,
      storedHeight: metadata.height,
      orientation: metadata.orientation ?? 1,
      width: metadata.autoOrient.width,
      height: metadata.autoOrient.height,
      hasAlpha: metadata.hasAlpha,
      frames: metadata.pages ?? 1,
      colorSpace: metadata.space,
      hasIccProfile: metadata.hasProfile,
      exif: metadata.exif,
    };
  };

  const source: SourceImage = {
    format,
    header: () => {
      header ??= readHeader();
      return header;
    },
    // libvips enforces the pixel limit itself before decoding.
    pipeline: async () => {
      // Only when decoding: a probe of the header alone is what probeHead does.
      if (format === 'jpeg') refuseJpegWithoutData(head);
      return sharp(input, loaderOptions).timeout({ seconds: timeoutSeconds });
    },
    dcOnlyPipeline: async (decodesAtEighth) => {
      if (format !== 'jpeg') return undefined;
      const marker = frameMarker(head);
      if (marker !== undefined && marker !== SOF2) return undefined;
      const copy = await dcOnlyCopy(
        input,
        // Over the limit: the normal path refuses it, with the same error as ever.
        async (frame) => frame.width * frame.height <= pixelLimit && (await decodesAtEighth(frame)),
      );
      if (!copy) return undefined;
      return sharp(copy, { ...loaderOptions, failOn: 'warning' }).timeout({
        seconds: timeoutSeconds,
      });
    },
    fail: async (error) => {
      // libvips' own limit message has no size in it: read the header for the typed error.
      if (error instanceof Error && /exceeds pixel limit/i.test(error.message)) {
        await source.header();
      }
      return libvipsError(error, format);
    },
  };
  return source;
}

/**
 * A JPEG that ends with its header has no picture to show, not even part of
 * one: refused, where libjpeg would paint it all grey. Told when the whole
 * file is in the head already read, as every such file is.
 */
function refuseJpegWithoutData(head: Uint8Array): void {
  if (head.length >= FIRST_READ_BYTES) return;
  if (jpegHeaderLength(head) === head.length) {
    throw new CorruptImageError('JPEG file ends before its image data: nothing to render');
  }
}
