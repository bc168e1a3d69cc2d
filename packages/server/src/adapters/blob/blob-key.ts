import { InvalidBlobKeyError } from '../../ports/blob-store.ts';

/**
 * A segment of a key: an id or a fixed name. Nothing that climbs (`..`),
 * hides (a leading dot) or needs escaping, so a key is as safe as a path on
 * disk as it is as an S3 object name, and every store accepts the same keys.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The key's segments, or {@link InvalidBlobKeyError} for a key outside the layout. */
export function blobKeySegments(key: string): string[] {
  const segments = key.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment))) throw new InvalidBlobKeyError(key);
  return segments;
}

/**
 * Refuses a range no store can serve the same way: not whole numbers, or
 * ending before it starts. (One that starts past the blob's end is each
 * store's to refuse, once it knows the size.)
 */
export function checkByteRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
    throw new RangeError(`Invalid byte range ${start}-${end}`);
}
