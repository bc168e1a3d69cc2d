import { AbortError, ApiError, ConnectionError, TimeoutError } from '../errors.ts';

/** Retries start at half a second and double, capped. */
const BASE_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/** The longest `Retry-After` a call waits out by default; beyond it the error reaches the caller. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * Statuses worth retrying: timeouts, rate limits and server errors. Other
 * 4xx never are, except a 409 that carries `Retry-After`: the server's way
 * of saying "a request with this idempotency key is still running".
 */
export function isRetryableStatus(status: number, retryAfterMs?: number): boolean {
  return (
    status === 408 ||
    status === 429 ||
    (status >= 500 && status !== 501) ||
    (status === 409 && retryAfterMs !== undefined)
  );
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

/**
 * How long to wait before retry number `retry` (1-based): what the server
 * asked for when it said (never less, so a retry cannot arrive early), else
 * exponential backoff with ±25% jitter.
 */
export function retryDelay(
  retry: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const backoff = Math.min(MAX_BACKOFF_MS, BASE_MS * 2 ** (retry - 1));
  return Math.round(backoff * (0.75 + 0.5 * random()));
}

/** Sleeps, unless the signal aborts first: then rejects with an {@link AbortError}. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The SDK's typed error for an aborted signal, keeping the caller's reason as its cause. */
export function abortError(signal: AbortSignal, message = 'The operation was aborted'): AbortError {
  return new AbortError(message, { cause: signal.reason });
}

/** Throws an {@link AbortError} when the signal has already fired. */
export function throwIfAborted(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw abortError(signal, message);
}

/** How many times, and how long at most to wait for a server that asks. */
export interface RetrySettings {
  maxRetries: number;
  /** A `Retry-After` longer than this is not waited out: the error reaches the caller. */
  maxRetryAfterMs: number;
}

/**
 * Whether a failure is worth another attempt: a connection that failed or
 * timed out, or an answer {@link isRetryableStatus} retries.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  return error instanceof ApiError && isRetryableStatus(error.status, retryAfterMsOf(error));
}

const retryAfterMsOf = (error: unknown) =>
  error instanceof ApiError && error.retryAfterSeconds !== undefined
    ? error.retryAfterSeconds * 1000
    : undefined;

/**
 * The SDK's one retry policy: runs `attempt` until it succeeds, retrying
 * what {@link isRetryable} allows up to `maxRetries` times, after the
 * backoff {@link retryDelay} gives (never sooner than a `Retry-After`).
 * Every HTTP call goes through it once: plain API calls with one request
 * per attempt, uploads with an attempt that asks the server where the
 * upload stands and sends the rest.
 */
export async function withRetries<T>(
  settings: RetrySettings,
  attempt: (retry: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    throwIfAborted(signal);
    try {
      return await attempt(retry);
    } catch (error) {
      throwIfAborted(signal);
      if (!isRetryable(error) || retry >= settings.maxRetries) throw error;
      const retryAfterMs = retryAfterMsOf(error);
      // Asked to wait longer than we would: the caller decides (`retryAfterSeconds` says how long).
      if (retryAfterMs !== undefined && retryAfterMs > settings.maxRetryAfterMs) throw error;
      await sleep(retryDelay(retry + 1, retryAfterMs), signal);
    }
  }
}
