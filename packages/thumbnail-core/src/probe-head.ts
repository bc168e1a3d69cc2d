import type { DecodeOptions } from './decode-options.ts';
import { headSegments } from './jpeg-headers.ts';
import { type ImageProbe, probe } from './probe.ts';

const SOI = 0xd8;
const SOS = 0xda;

/**
 * How many bytes a JPEG's header takes: every marker segment up to and
 * including the first scan header (SOS), where libjpeg stops reading a
 * header. Undefined when `head` ends first, or is not made of segments.
 */
export function jpegHeaderLength(head: Uint8Array): number | undefined {
  if (head[0] !== 0xff || head[1] !== SOI) return undefined;
  for (const { marker, end } of headSegments(head))
    if (marker === SOS) return end <= head.length ? end : undefined;
  return undefined;
}

/**
 * The probe of an image from its first bytes alone, while the rest is still
 * on its way (the server probes an upload as it arrives, so the answer is
 * ready when the last byte is). Only a JPEG whose whole header these bytes
 * hold is probed: then it reads exactly what {@link probe} reads from the
 * complete file. Undefined for anything else, including bytes that fail to
 * probe: the caller then probes the complete file, which gives the
 * authoritative answer or error.
 */
export async function probeHead(
  head: Uint8Array,
  options?: DecodeOptions,
): Promise<ImageProbe | undefined> {
  const length = jpegHeaderLength(head);
  if (length === undefined) return undefined;
  try {
    return await probe(head.subarray(0, length), options);
  } catch {
    return undefined;
  }
}
