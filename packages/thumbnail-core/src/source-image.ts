import type { Sharp } from 'sharp';
import type { DecodeOptions } from './decode-options.ts';
import type { ThumbnailError } from './errors.ts';
import { openHeicSource } from './heic-source.ts';
import { FIRST_READ_BYTES, HEAD_BYTES, type ImageInput, readHead } from './image-input.ts';
import { openLibvipsSource } from './libvips-source.ts';
import type { StoredSize } from './shrink-on-load.ts';
import { detectFormat, type SourceFormat } from './source-format.ts';

/** A checked image header: format confirmed, size within the pixel limit. */
export interface SourceHeader {
  /** Size as stored, before the orientation is applied. */
  readonly storedWidth: number;
  readonly storedHeight: number;
  /** The EXIF orientation (1-8) that turns the stored image upright. */
  readonly orientation: number;
  /** Upright size: width and height after the orientation is applied. */
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
  readonly frames: number;
  /** libvips' name of the colour space, e.g. `srgb`, `cmyk`, `b-w`, `rgb16`. */
  readonly colorSpace: string;
  readonly hasIccProfile: boolean;
  /** The raw EXIF block, for exif-fields.ts. */
  readonly exif: Buffer | undefined;
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
   * A new pipeline over the first frame, upright, under the decode limits.
   * The pixel limit is enforced before any pixel is decoded. The decode
   * behind it happens at most once per source (HEIC decodes here, whole;
   * libvips decodes lazily, as the pipeline runs).
   */
  pipeline(): Promise<Sharp>;
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
  /** Maps an error thrown while decoding this source to a typed error, keeping it as `cause`. */
  fail(error: unknown): Promise<ThumbnailError>;
}

/** Opens an image safely: the magic-byte allow-list runs before anything is decoded. */
export async function openSource(input: ImageInput, options?: DecodeOptions): Promise<SourceImage> {
  // One read for the format and, for most JPEGs, the frame header too: a
  // baseline JPEG is then told from a progressive one without a second read.
  const head = await readHead(input, FIRST_READ_BYTES);
  const format = detectFormat(head.subarray(0, HEAD_BYTES));
  return format === 'heic'
    ? openHeicSource(input, head, options)
    : openLibvipsSource(input, head, format, options);
}
