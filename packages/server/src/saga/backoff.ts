const MAX_DELAY_MS = 5 * 60_000;

/**
 * Delay before attempt `attempt + 1`: exponential from `baseMs`, capped at
 * five minutes, with ±20% jitter so that failures which happened together
 * do not retry together.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
