import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client';
import type { FetchFunction } from '../core/transport.ts';
import { TimeoutError } from '../errors.ts';

/** Buffers are handed to fetch in pieces of this size, so progress and the idle timer move. */
const PIECE = 256 * 1024;

export interface FetchHttpStackOptions {
  fetch: FetchFunction;
  /**
   * Milliseconds a request may go without moving a byte (sending its body
   * or receiving its answer) before it fails with a {@link TimeoutError},
   * which tus retries. An idle limit rather than a total one: a 200 MB PATCH
   * over a slow link is legitimately long.
   */
  idleTimeout: number;
  /** Called when fetch takes a request body's first bytes. */
  onBodyStart?: () => void;
}

/**
 * tus-js-client's HTTP layer on the client's own fetch, so uploads use the
 * same connection pool, dispatcher (proxies, mocks), timeout and headers as
 * every other call, instead of tus's built-in node:http stack.
 */
export class FetchHttpStack implements HttpStack {
  readonly #options: FetchHttpStackOptions;

  constructor(options: FetchHttpStackOptions) {
    this.#options = options;
  }

  createRequest(method: string, url: string): HttpRequest {
    return new FetchHttpRequest(method, url, this.#options);
  }

  getName(): string {
    return 'FlickrFetchHttpStack';
  }
}

class FetchHttpRequest implements HttpRequest {
  readonly #method: string;
  readonly #url: string;
  readonly #options: FetchHttpStackOptions;
  readonly #headers: Record<string, string> = {};
  readonly #controller = new AbortController();
  #onProgress: (bytesSent: number) => void = () => {};

  constructor(method: string, url: string, options: FetchHttpStackOptions) {
    this.#method = method;
    this.#url = url;
    this.#options = options;
  }

  getMethod(): string {
    return this.#method;
  }

  getURL(): string {
    return this.#url;
  }

  setHeader(header: string, value: string): void {
    this.#headers[header.toLowerCase()] = value;
  }

  getHeader(header: string): string | undefined {
    return this.#headers[header.toLowerCase()];
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.#onProgress = handler;
  }

  async send(body: unknown): Promise<HttpResponse> {
    const { idleTimeout } = this.#options;
    const controller = this.#controller;
    const idle = setTimeout(
      () =>
        controller.abort(
          new TimeoutError(
            `${this.#method} ${new URL(this.#url).pathname} moved no bytes for ${idleTimeout} ms`,
          ),
        ),
      idleTimeout,
    );
    const headers = { ...this.#headers };
    const init: RequestInit & { duplex?: 'half' } = {
      method: this.#method,
      headers,
      signal: controller.signal,
    };
    const source = bodyOf(body);
    if (source) {
      headers['content-length'] = String(source.size);
      init.body = counted(
        source.chunks,
        (sent) => {
          idle.refresh();
          this.#onProgress(sent);
        },
        this.#options.onBodyStart,
      ) as unknown as RequestInit['body'];
      init.duplex = 'half';
    }
    try {
      const response = await this.#options.fetch(this.#url, init);
      idle.refresh();
      const text = await response.text();
      return new FetchHttpResponse(response, text);
    } catch (error) {
      // Our own timeout is the more useful error: tus retries it, and reports it if it must give up.
      throw controller.signal.reason instanceof TimeoutError ? controller.signal.reason : error;
    } finally {
      clearTimeout(idle);
    }
  }

  abort(): Promise<void> {
    this.#controller.abort();
    return Promise.resolve();
  }

  getUnderlyingObject(): AbortController {
    return this.#controller;
  }
}

class FetchHttpResponse implements HttpResponse {
  readonly #response: Response;
  readonly #body: string;

  constructor(response: Response, body: string) {
    this.#response = response;
    this.#body = body;
  }

  getStatus(): number {
    return this.#response.status;
  }

  getHeader(header: string): string | undefined {
    return this.#response.headers.get(header) ?? undefined;
  }

  getBody(): string {
    return this.#body;
  }

  getUnderlyingObject(): Response {
    return this.#response;
  }
}

/** What tus-js-client's Node file sources hand over as a body: a Buffer, or a file stream with its `size`. */
function bodyOf(body: unknown): { size: number; chunks: AsyncIterable<Uint8Array> } | undefined {
  if (body === null || body === undefined) return undefined;
  if (body instanceof Uint8Array) return { size: body.length, chunks: pieces(body) };
  if (body instanceof Readable) {
    const size = (body as Readable & { size?: number }).size;
    if (typeof size !== 'number') throw new TypeError('tus body stream without a size');
    return { size, chunks: body };
  }
  throw new TypeError(`unsupported tus body: ${typeof body}`);
}

async function* pieces(buffer: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < buffer.length; offset += PIECE)
    yield buffer.subarray(offset, offset + PIECE);
}

async function* counted(
  chunks: AsyncIterable<Uint8Array>,
  onProgress: (sent: number) => void,
  onStart?: () => void,
): AsyncGenerator<Uint8Array> {
  onStart?.();
  let sent = 0;
  for await (const chunk of chunks) {
    yield chunk;
    // Counted once fetch has taken the chunk, not when it was read from disk.
    sent += chunk.length;
    onProgress(sent);
  }
}
