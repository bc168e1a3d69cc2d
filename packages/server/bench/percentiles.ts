/** The nearest-rank percentile `p` (0-100) of some measurements. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Milliseconds with a precision that suits their size. */
export const formatMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

/** The median (nearest rank) of some measurements. */
export const median = (values: readonly number[]) => percentile(values, 50);

/** How long some work took, in milliseconds, and what it gave. */
export async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}
