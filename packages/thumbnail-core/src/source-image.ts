import sharp, { type Metadata, type Sharp } from 'sharp';
import { dcOnlyCopy, frameMarker } from './dc-only-jpeg.ts';
import { type DecodeOptions, resolveDecodeOptions } from './decode-options.ts';
import {
  CorruptImageError,
  ImageTooLargeError,
  ThumbnailError,
  UnsupportedFormatError,
} from './errors.ts';
import { HEAD_BYTES, type ImageInput, readHead } from './image-input.ts';
import type { StoredSize } from './shrink-on-load.ts';
import { detectFormat, type SourceFormat } from './source-format.ts';

/** The libvips loader each accepted format must be read by; a mismatch means a disguised file. */
const LOADER: Record<SourceFormat, Metadata['format']> = {
  jpeg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  tiff: 'tiff',
  avif: 'heif',
  heic: 'heif',
};

/** Enough for the frame header of a JPEG whose EXIF block is of ordinary size. */
const FRAME_HEAD_BYTES = 1 << 14;

const SOF2 = 0xc2;

/** A checked image header: format confirmed by libvips, size within the pixel limit. */
export interface SourceHeader {
  readonly metadata: Metadata;
  /** Upright size: width and height after the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
}

/**
 * An input whose magic bytes passed the allow-list. Nothing else has been
 * read yet: `header()` reads and checks the header, `pipeline()` decodes.
 */
export interface SourceImage {
  readonly format: SourceFormat;
  /** Reads the header once (no pixels) and checks it; the result is kept. */
  header(): Promise<SourceHeader>;
  /**
   * A new pipeline over the first frame, auto-oriented, under the decode
   * limits. libvips enforces the pixel limit itself before decoding, so a
   * pipeline is safe without reading the header first.
   */
  pipeline(): Sharp;
  /**
   * For a progressive JPEG that libvips will decode at 1/8 scale
   * (`decodesAtEighth` says so from the stored size, before any scan is
   * read): a pipeline like `pipeline()` over a DC-only copy of it, which
   * decodes to the same pixels with a fraction of the entropy decoding (see
   * dc-only-jpeg.ts). It fails on any libjpeg warning, so that the caller
   * can leave a damaged file to `pipeline()`. Undefined for every other
   * input, and whenever the file is not fully understood.
   */
  dcOnlyPipeline(
    decodesAtEighth: (stored: StoredSize) => Promise<boolean>,
  ): Promise<Sharp | undefined>;
  /** Maps an error thrown while decoding this source to a typed error. */
  fail(error: unknown): Promise<ThumbnailError>;
}

/** Opens an image safely: the magic-byte allow-list runs before anything is decoded. */
export async function openSource(input: ImageInput, options?: DecodeOptions): Promise<SourceImage> {
  const { pixelLimit, timeoutSeconds } = resolveDecodeOptions(options);
  // One read for the format and, for most JPEGs, the frame header too: a
  // baseline JPEG is then told from a progressive one without a second read.
  const head = await readHead(input, FRAME_HEAD_BYTES);
  const format = detectFormat(head.subarray(0, HEAD_BYTES));
  const loaderOptions = {
    failOn: 'error',
    limitInputPixels: pixelLimit,
    autoOrient: true,
    pages: 1,
  } as const;

  let header: Promise<SourceHeader> | undefined;
  const readHeader = async (): Promise<SourceHeader> => {
    let metadata: Metadata;
    try {
      // Header only: the limit is checked below, with the image's size in the message.
      metadata = await sharp(input, { ...loaderOptions, limitInputPixels: false }).metadata();
    } catch (error) {
      throw mapError(error, format);
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
    return { metadata, width: metadata.autoOrient.width, height: metadata.autoOrient.height };
  };

  const source: SourceImage = {
    format,
    header: () => {
      header ??= readHeader();
      return header;
    },
    pipeline: () => sharp(input, loaderOptions).timeout({ seconds: timeoutSeconds }),
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
      return mapError(error, format);
    },
  };
  return source;
}

/** Maps whatever sharp/libvips threw into this package's typed errors, keeping it as `cause`. */
function mapError(error: unknown, format: SourceFormat): ThumbnailError {
  if (error instanceof ThumbnailError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (
    format === 'heic' &&
    /(compression format|plugin|decoder|codec|not been built|unsupported)/i.test(message)
  ) {
    return new UnsupportedFormatError(
      'HEIC images cannot be decoded by the installed libvips (no HEVC decoder): convert to JPEG first',
      'heic',
      { cause: error },
    );
  }
  if (/unsupported image format/i.test(message)) {
    return new UnsupportedFormatError(`Not a supported image: ${message}`, format, {
      cause: error,
    });
  }
  if (/timeout/i.test(message)) {
    return new CorruptImageError(`Decoding took too long and was aborted: ${message}`, {
      cause: error,
    });
  }
  const firstLine = message.split('\n', 1)[0]?.trim() || 'unknown error';
  return new CorruptImageError(`Cannot decode ${format.toUpperCase()} image: ${firstLine}`, {
    cause: error,
  });
}
