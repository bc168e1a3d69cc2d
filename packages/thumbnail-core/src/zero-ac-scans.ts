// The scans that stand in for the AC scans a DC-only copy leaves out.
//
// Why they are needed at all: libjpeg-turbo (2.1 and later, so the mozjpeg in
// sharp's libvips) smooths the blocks of a progressive JPEG whose AC
// coefficients are not all known when decoding ends (jdcoefct.c,
// decompress_smooth_data), and when *none* of AC 1-9 of a component was ever
// coded it re-estimates the DC coefficients themselves from their
// neighbours. A copy with only DC scans would therefore decode differently.
// One AC scan per left-out component, coding every AC coefficient as zero
// at full precision, tells libjpeg that everything is known: no smoothing,
// and the 1×1 inverse DCT sees the very DC values the full file gives it.
// The scans cost a few bytes: each is one end-of-band run per 32,767 blocks.

/** libjpeg's limit on one end-of-band run (EOB14 with 14 extra bits). */
const MAX_EOB_RUN = 0x7fff;

/** AC table slot the zero scans use; they come last, so no real scan sees it redefined. */
const TABLE_SLOT = 0;

/**
 * DRI (no restarts: the zero scans need no restart markers), DHT (an AC
 * table of the 15 end-of-band symbols EOB0-EOB14, 4 bits each), then one SOS
 * with its entropy-coded data per component: all AC coefficients (1-63) of
 * every block zero, Ah = Al = 0.
 */
export function zeroAcScans(components: readonly { id: number; blocks: number }[]): Uint8Array {
  const eobSymbols = Array.from({ length: 15 }, (_, run) => run << 4);
  const parts: number[] = [
    ...[0xff, 0xdd, 0x00, 0x04, 0x00, 0x00],
    ...[0xff, 0xc4, 0x00, 2 + 1 + 16 + eobSymbols.length, 0x10 | TABLE_SLOT],
    ...[0, 0, 0, eobSymbols.length, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ...eobSymbols,
  ];
  for (const { id, blocks } of components) {
    parts.push(0xff, 0xda, 0x00, 0x08, 0x01, id, TABLE_SLOT, 1, 63, 0x00);
    parts.push(...endOfBandRuns(blocks));
  }
  return Uint8Array.from(parts);
}

/** Entropy-coded data of end-of-band runs covering exactly `blocks` blocks, byte-stuffed. */
function endOfBandRuns(blocks: number): number[] {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      buffer = (buffer << 1) | ((value >> i) & 1);
      if (++bits === 8) {
        bytes.push(buffer);
        if (buffer === 0xff) bytes.push(0x00);
        buffer = 0;
        bits = 0;
      }
    }
  };
  for (let left = blocks; left > 0; ) {
    const run = Math.min(left, MAX_EOB_RUN);
    // EOBn codes a run of 2^n + (n extra bits); symbol EOBn has the 4-bit code n.
    const n = 31 - Math.clz32(run);
    put(n, 4);
    put(run - 2 ** n, n);
    left -= run;
  }
  if (bits > 0) put(0xff, 8 - bits); // pad with one-bits, as the standard asks
  return bytes;
}
