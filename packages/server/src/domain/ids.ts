import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * Random bytes are drawn from the system a pool at a time: one call for 10
 * bytes costs more than the rest of an id, and every request gets an id.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

const hex = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids
 * made in one process are strictly increasing, even within a millisecond (a
 * 12-bit counter fills rand_a), so `ORDER BY id` is creation order.
 */
export function uuidv7(now = Date.now()): string {
  if (now <= lastMs) {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
  } else {
    lastMs = now;
    sequence = 0;
  }
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const random = pool.subarray(poolOffset, poolOffset + 8);
  poolOffset += 8;
  const high = Math.floor(lastMs / 2 ** 16);
  const low = lastMs % 2 ** 16;
  const bytes = [
    (high >>> 24) & 0xff,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    low >>> 8,
    low & 0xff,
    0x70 | (sequence >> 8),
    sequence & 0xff,
    0x80 | ((random[0] as number) & 0x3f),
    ...random.subarray(1),
  ];
  const h = bytes.map((byte) => hex[byte]).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const nowIso = (): string => new Date().toISOString();
