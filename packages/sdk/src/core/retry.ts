/** Retries start at half a second and double, capped; the server's Retry-After wins when it says more. */
const BASE_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A Retry-After beyond this is not worth waiting for inside one call. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Statuses worth retrying: timeouts, rate limits and server errors. Other 4xx never are. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How long to wait before retry number `retry` (1-based), with ±25% jitter. */
export function retryDelay(
  retry: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs <= MAX_RETRY_AFTER_MS) return retryAfterMs;
  const backoff = Math.min(MAX_BACKOFF_MS, BASE_MS * 2 ** (retry - 1));
  return Math.round(backoff * (0.75 + 0.5 * random()));
}

/** Sleeps, unless the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
