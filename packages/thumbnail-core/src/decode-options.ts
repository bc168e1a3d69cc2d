/** Limits applied before and while decoding untrusted images. */
export interface DecodeOptions {
  /**
   * Largest accepted image, in pixels (width × height of one frame). Checked
   * from the header, before any pixel is decoded. Default 100 megapixels.
   */
  pixelLimit?: number;
  /** Abort a decode that takes longer than this, in seconds. Default 30. */
  timeoutSeconds?: number;
}

/** 100 megapixels: a 12,000 × 8,000 panorama passes, a decompression bomb does not. */
export const DEFAULT_PIXEL_LIMIT = 100_000_000;

export const DEFAULT_TIMEOUT_SECONDS = 30;

export function resolveDecodeOptions(options: DecodeOptions = {}): Required<DecodeOptions> {
  const pixelLimit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isSafeInteger(pixelLimit) || pixelLimit < 1) {
    throw new RangeError(`pixelLimit must be a positive integer, got ${pixelLimit}`);
  }
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
    throw new RangeError(`timeoutSeconds must be a positive integer, got ${timeoutSeconds}`);
  }
  return { pixelLimit, timeoutSeconds };
}
