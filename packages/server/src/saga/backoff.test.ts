import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the base delay', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, 1000, middle))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });
  it('jitters by at most 20% either way', () => {
    expect(backoffDelay(3, 1000, () => 0)).toBe(3200);
    expect(backoffDelay(3, 1000, () => 1)).toBe(4800);
  });
  it('never waits more than five minutes (plus jitter)', () => {
    expect(backoffDelay(40, 1000, () => 0.5)).toBe(300_000);
  });
});
