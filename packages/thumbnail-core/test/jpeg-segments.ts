// Finds the segments of a (well-formed, test-made) JPEG, so the tests can
// damage, reorder or inspect exactly one of them.

export interface Segment {
  marker: number;
  /** Offset of the segment's 0xFF. */
  start: number;
  /** Offset just past the segment, entropy-coded data included for SOS. */
  end: number;
  /** For SOS: where the entropy-coded data starts. */
  data: number;
}

export function segments(jpeg: Uint8Array): Segment[] {
  const found: Segment[] = [];
  let at = 2;
  while (at < jpeg.length) {
    const marker = jpeg[at + 1] as number;
    if (marker === 0xd9) {
      found.push({ marker, start: at, end: at + 2, data: at + 2 });
      break;
    }
    const length = ((jpeg[at + 2] as number) << 8) | (jpeg[at + 3] as number);
    let end = at + 2 + length;
    const data = end;
    if (marker === 0xda) {
      while (
        !(jpeg[end] === 0xff && jpeg[end + 1] !== 0 && ((jpeg[end + 1] as number) & 0xf8) !== 0xd0)
      ) {
        end++;
      }
    }
    found.push({ marker, start: at, end, data });
    at = end;
  }
  return found;
}

/** The scan headers of a JPEG, as `components Ss-Se Ah/Al` (component ids), in file order. */
export function scanScript(jpeg: Uint8Array): string[] {
  return segments(jpeg)
    .filter((s) => s.marker === 0xda)
    .map((s) => {
      const count = jpeg[s.start + 4] as number;
      const ids = Array.from({ length: count }, (_, i) => jpeg[s.start + 5 + 2 * i]);
      const tail = s.start + 5 + 2 * count;
      const approximation = jpeg[tail + 2] as number;
      return `${ids.join(',')} ${jpeg[tail]}-${jpeg[tail + 1]} ${approximation >> 4}/${approximation & 15}`;
    });
}

/** The bytes with `replacement` in place of [start, end). */
export function splice(
  jpeg: Uint8Array,
  start: number,
  end: number,
  replacement: readonly number[] | Uint8Array = [],
): Buffer {
  return Buffer.concat([jpeg.subarray(0, start), Buffer.from(replacement), jpeg.subarray(end)]);
}
