import { describe, expect, it } from 'vitest';
import { AbortError } from '../errors.ts';
import { isRetryableStatus, parseRetryAfter, retryDelay, sleep } from './retry.ts';

describe('retry policy', () => {
  it('retries timeouts, rate limits and server errors only', () => {
    expect([408, 429, 500, 502, 503, 504].every((s) => isRetryableStatus(s))).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422, 501].some((s) => isRetryableStatus(s))).toBe(false);
  });

  it('retries a 409 only when the server says when to (an idempotency key still running)', () => {
    expect(isRetryableStatus(409, 1000)).toBe(true);
    expect(isRetryableStatus(409)).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(
      parseRetryAfter('Tue, 24 Nov 2026 10:00:10 GMT', Date.parse('Tue, 24 Nov 2026 10:00:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('waits exactly what the server asks, else backs off exponentially with jitter', () => {
    expect(retryDelay(1, 2000)).toBe(2000);
    expect(retryDelay(5, 100, () => 1)).toBe(100);
    expect(retryDelay(1, 10 * 60_000, () => 0)).toBe(10 * 60_000);
    expect(retryDelay(1, undefined, () => 0.5)).toBe(500);
    expect(retryDelay(3, undefined, () => 0.5)).toBe(2000);
    expect(retryDelay(10, undefined, () => 0.5)).toBe(8000);
    expect(retryDelay(1, undefined, () => 0)).toBe(375);
  });

  it('sleeps until aborted, then rejects with a typed AbortError', async () => {
    const already = AbortSignal.abort(new Error('stop'));
    await expect(sleep(10, already)).rejects.toBeInstanceOf(AbortError);
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });
});
