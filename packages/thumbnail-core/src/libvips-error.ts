import { CorruptImageError, ThumbnailError, UnsupportedFormatError } from './errors.ts';
import type { SourceFormat } from './source-format.ts';

/** Maps whatever sharp/libvips threw into this package's typed errors, keeping it as `cause`. */
export function libvipsError(error: unknown, format: SourceFormat): ThumbnailError {
  if (error instanceof ThumbnailError) return error;
  const message = error instanceof Error ? error.message : String(error);
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
