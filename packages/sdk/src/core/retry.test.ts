import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter, retryDelay } from './retry.ts';

describe('retry policy', () => {
  it('retries timeouts, rate limits and server errors only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422, 501].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(
      parseRetryAfter('Tue, 24 Nov 2026 10:00:10 GMT', Date.parse('Tue, 24 Nov 2026 10:00:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('waits what the server asks, within reason, else backs off exponentially with jitter', () => {
    expect(retryDelay(1, 2000)).toBe(2000);
    expect(retryDelay(1, undefined, () => 0.5)).toBe(500);
    expect(retryDelay(3, undefined, () => 0.5)).toBe(2000);
    expect(retryDelay(10, undefined, () => 0.5)).toBe(8000);
    expect(retryDelay(1, 10 * 60_000, () => 0)).toBe(375);
  });
});
