import type { DecodeOptions } from './decode-options.ts';
import { heifHeaderLength } from './heif-header.ts';
import { HEAD_BYTES } from './image-input.ts';
import { jpegHeaderLength } from './jpeg-header-length.ts';
import { type ImageProbe, probe } from './probe.ts';
import { detectFormat } from './source-format.ts';

/**
 * How many leading bytes {@link probeHead} needs to answer: for a JPEG, its
 * header (see {@link jpegHeaderLength}); for a HEIC, every box up to its
 * `meta` box and its Exif item. Undefined when `head` ends first, or is
 * neither.
 */
export function imageHeaderLength(head: Uint8Array): number | undefined {
  let format: string;
  try {
    format = detectFormat(head.subarray(0, HEAD_BYTES));
  } catch {
    return undefined;
  }
  if (format === 'jpeg') return jpegHeaderLength(head);
  if (format === 'heic') return heifHeaderLength(head);
  return undefined;
}

/**
 * The probe of an image from its first bytes alone, while the rest is still
 * on its way (the server probes an upload as it arrives, so the answer is
 * ready when the last byte is). Only a JPEG or a HEIC whose whole header
 * these bytes hold is probed ({@link imageHeaderLength} says how much that
 * is): then it reads exactly what {@link probe} reads from the complete
 * file. Undefined for anything else, including bytes that fail to probe:
 * the caller then probes the complete file, which gives the authoritative
 * answer or error.
 */
export async function probeHead(
  head: Uint8Array,
  options?: DecodeOptions,
): Promise<ImageProbe | undefined> {
  const length = imageHeaderLength(head);
  if (length === undefined) return undefined;
  try {
    return await probe(head.subarray(0, length), options);
  } catch {
    return undefined;
  }
}
