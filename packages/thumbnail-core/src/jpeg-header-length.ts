import { headSegments } from './jpeg-headers.ts';

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
