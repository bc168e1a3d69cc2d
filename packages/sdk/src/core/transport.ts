import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { Problem } from '../contract/errors.ts';
import type { Operation } from '../contract/operation.ts';
import {
  ApiError,
  ConnectionError,
  FlickrError,
  ResponseValidationError,
  TimeoutError,
} from '../errors.ts';
import { parseRetryAfter, type RetrySettings, throwIfAborted, withRetries } from './retry.ts';

export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface TransportSettings {
  baseUrl: string;
  token: string | undefined;
  /** Per attempt, in milliseconds. */
  timeout: number;
  maxRetries: number;
  /** A `Retry-After` longer than this is not waited out: the error reaches the caller. */
  maxRetryAfterMs: number;
  fetch: FetchFunction;
  userAgent: string;
}

/** Options every method takes. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this call, in milliseconds. */
  timeout?: number | undefined;
  /** Overrides the client's retry count for this call. */
  maxRetries?: number | undefined;
  /** Overrides the client's longest `Retry-After` to wait out for this call, in milliseconds. */
  maxRetryAfterMs?: number | undefined;
  /** Sent on POST, PATCH and DELETE (a random one when not given), so retries cannot act twice. */
  idempotencyKey?: string | undefined;
}

export interface CallInput {
  params?: Record<string, string> | undefined;
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
}

/** What an operation returns: its response schema's output, or nothing for 204s. */
type Output<O extends Operation> = [NonNullable<O['response']>] extends [z.ZodNever]
  ? undefined
  : z.output<NonNullable<O['response']> & z.ZodType>;

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON text, or bytes streamed as they are produced (an upload's body). */
  body?: string | AsyncIterable<Uint8Array> | undefined;
  /** False for signed CDN URLs: the bearer token never leaves for another host. */
  withToken?: boolean;
  /**
   * `idle`: the timeout counts from the last body byte taken or the answer's
   * headers, not from the start: a 200 MB upload over a slow link is
   * legitimately long, one that moves nothing is not (default `total`).
   */
  timeoutMode?: 'total' | 'idle';
}

/**
 * The one place that talks HTTP: base URL, auth, user agent, timeouts,
 * retries with backoff and Retry-After, idempotency keys, and validation
 * of every response against the contract. Resources never fetch directly.
 */
export class Transport {
  readonly settings: TransportSettings;

  constructor(settings: TransportSettings) {
    this.settings = settings;
  }

  /** Calls a contract operation and returns its validated response. */
  async call<O extends Operation>(
    operation: O,
    input: CallInput = {},
    options: RequestOptions = {},
  ): Promise<Output<O>> {
    let path = operation.path.replace(/:([a-zA-Z]+)/g, (_match, name: string) => {
      const value = input.params?.[name];
      if (value === undefined)
        throw new FlickrError(`${operation.id}: missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(input.query ?? {}))
      if (value !== undefined) query.set(key, String(value));
    if ([...query].length > 0) path += `?${query}`;

    const response = await this.send(
      path,
      {
        method: operation.method,
        ...(input.body === undefined
          ? {}
          : { body: JSON.stringify(input.body), headers: { 'content-type': 'application/json' } }),
      },
      options,
    );
    if (operation.status === 204 || !operation.response) {
      await response.body?.cancel();
      return undefined as Output<O>;
    }
    const json: unknown = await response.json().catch((error: unknown) => {
      throw new ResponseValidationError(`${operation.id}: the response is not JSON`, [
        String(error),
      ]);
    });
    const parsed = operation.response.safeParse(json);
    if (!parsed.success) {
      throw new ResponseValidationError(
        `${operation.id}: the server's response does not match this SDK's contract (server and SDK versions differ?)`,
        parsed.error.issues,
      );
    }
    return parsed.data as Output<O>;
  }

  /** Resolves a path or a URL the API returned (CDN URLs may be relative) against the base URL. */
  url(pathOrUrl: string): URL {
    return new URL(
      pathOrUrl,
      this.settings.baseUrl.endsWith('/') ? this.settings.baseUrl : `${this.settings.baseUrl}/`,
    );
  }

  headers(extra: Record<string, string> = {}, withToken = true): Record<string, string> {
    return {
      'user-agent': this.settings.userAgent,
      accept: 'application/json',
      ...(withToken && this.settings.token
        ? { authorization: `Bearer ${this.settings.token}` }
        : {}),
      ...extra,
    };
  }

  /**
   * Sends a request under the retry policy ({@link withRetries}) and returns
   * the successful response, body unread. Errors become typed errors; 408,
   * 429, 5xx, a 409 with `Retry-After` and connection failures are retried,
   * never sooner than `Retry-After` says; other 4xx never are. A body that
   * is a stream is sent once: its caller retries (uploads resume instead).
   */
  async send(pathOrUrl: string, init: SendInit, options: RequestOptions = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const idempotencyKey = ['POST', 'PATCH', 'DELETE'].includes(method)
      ? (options.idempotencyKey ?? `sdk-${randomUUID()}`)
      : undefined;
    const headers = this.headers(
      { ...init.headers, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      init.withToken ?? true,
    );
    const streamed = init.body !== undefined && typeof init.body !== 'string';
    return withRetries(
      streamed ? { ...this.retrySettings(options), maxRetries: 0 } : this.retrySettings(options),
      () => this.#attempt(this.url(pathOrUrl), method, headers, init, options),
      options.signal,
    );
  }

  /** The client's retry policy, with a call's own overrides. */
  retrySettings(options: RequestOptions = {}): RetrySettings {
    return {
      maxRetries: options.maxRetries ?? this.settings.maxRetries,
      maxRetryAfterMs: options.maxRetryAfterMs ?? this.settings.maxRetryAfterMs,
    };
  }

  /** One request: its timeout, its body, its failure as a typed error. */
  async #attempt(
    url: URL,
    method: string,
    headers: Record<string, string>,
    init: SendInit,
    options: RequestOptions,
  ): Promise<Response> {
    const timeout = options.timeout ?? this.settings.timeout;
    const timer = new AttemptTimer(timeout);
    const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
    const idle = init.timeoutMode === 'idle';
    const body =
      init.body === undefined || typeof init.body === 'string'
        ? init.body
        : idle
          ? touching(init.body, timer)
          : init.body;
    const request: RequestInit & { duplex?: 'half' } = { method, headers, signal };
    if (body !== undefined) request.body = body as RequestInit['body'];
    if (body !== undefined && typeof body !== 'string') request.duplex = 'half';
    let response: Response;
    try {
      response = await this.settings.fetch(url, request);
    } catch (error) {
      throwIfAborted(options.signal);
      throw timer.expired
        ? new TimeoutError(
            `${method} ${url.pathname} ${idle ? `moved no bytes for` : 'took longer than'} ${timeout} ms`,
            { cause: error },
          )
        : new ConnectionError(`Cannot reach ${url.origin}: ${describe(error)}`, { cause: error });
    }
    if (idle) timer.touch();
    if (response.ok) return response;
    throw await toApiError(response, parseRetryAfter(response.headers.get('retry-after')));
  }
}

/**
 * An attempt's deadline: `timeout` from its start, or from the last
 * `touch`. Its timer never holds the process open.
 */
class AttemptTimer {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  expired = false;

  constructor(timeout: number) {
    this.#timer = setTimeout(() => {
      this.expired = true;
      this.#controller.abort(new Error('timed out'));
    }, timeout);
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  touch(): void {
    if (!this.expired) this.#timer.refresh();
  }
}

/** Passes a body's chunks on, touching the timer as fetch takes each one. */
async function* touching(
  chunks: AsyncIterable<Uint8Array>,
  timer: AttemptTimer,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    timer.touch();
    yield chunk;
  }
}

async function toApiError(response: Response, retryAfterMs: number | undefined): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let problem: Problem | undefined;
  try {
    const parsed = Problem.safeParse(JSON.parse(text));
    if (parsed.success) problem = parsed.data;
  } catch {
    // Not JSON: a proxy's error page, say. The status still tells what happened.
  }
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
  return ApiError.generate(
    response.status,
    problem,
    text.slice(0, 200) || response.statusText,
    retryAfterSeconds,
  );
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
