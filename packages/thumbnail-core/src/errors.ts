/** Stable codes of the errors this package throws, suitable for APIs and logs. */
export type ThumbnailErrorCode = 'unsupported_format' | 'corrupt_image' | 'image_too_large';

/** Base class of every error about an image's content that thumbnail-core throws. */
export class ThumbnailError extends Error {
  /** A stable, machine-readable code. */
  readonly code: ThumbnailErrorCode;

  constructor(code: ThumbnailErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The input is not an image format thumbnail-core accepts: not an image at
 * all, a refused format (SVG and other vector/XML formats are never decoded),
 * or a format the installed libvips cannot decode (HEIC without an HEVC decoder).
 */
export class UnsupportedFormatError extends ThumbnailError {
  /** What the input looks like, when it could be told (`svg`, `pdf`, `heic`, `text`…). */
  readonly detected: string | undefined;

  constructor(message: string, detected?: string, options?: ErrorOptions) {
    super('unsupported_format', message, options);
    this.detected = detected;
  }
}

/** The input claims to be a supported image but cannot be decoded. */
export class CorruptImageError extends ThumbnailError {
  constructor(message: string, options?: ErrorOptions) {
    super('corrupt_image', message, options);
  }
}

/** The image has more pixels than the configured limit; it was refused before decoding. */
export class ImageTooLargeError extends ThumbnailError {
  readonly width: number;
  readonly height: number;
  /** The pixel limit that was exceeded. */
  readonly pixelLimit: number;

  constructor(width: number, height: number, pixelLimit: number) {
    super(
      'image_too_large',
      `Image is ${width}×${height} (${formatMegapixels(width * height)}), ` +
        `more than the limit of ${formatMegapixels(pixelLimit)}`,
    );
    this.width = width;
    this.height = height;
    this.pixelLimit = pixelLimit;
  }
}

function formatMegapixels(pixels: number): string {
  return `${Number((pixels / 1e6).toPrecision(3))} megapixels`;
}
