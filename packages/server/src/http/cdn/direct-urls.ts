import type { BlobStore, DirectUrlHeaders } from '../../ports/blob-store.ts';

export interface DirectUrlsOptions {
  /** How long each URL is valid. */
  seconds: number;
  /** URLs remembered at most; the oldest go first. */
  maxKeys?: number;
  now?: () => number;
}

interface Signed {
  url: string;
  /** When the URL stops being handed out (half its life): every client gets at least the other half. */
  until: number;
}

/**
 * The presigned URLs the CDN tier redirects to, when it redirects rather
 * than streams. Each file's URL is signed once and handed out for half its
 * life: the same URL for every viewer lets browsers and shared caches keep
 * the bucket's answer, and the hot path (cdn-fast-path.ts) redirects from
 * memory, without the SDK's asynchronous signing.
 *
 * A URL handed out stays valid for its life, whatever happens to the
 * photo: revoking a viewer stops new redirects at once (the access check
 * runs first), and one already followed ends with the URL.
 */
export class DirectUrls {
  readonly #sign: NonNullable<BlobStore['directUrl']>;
  /** How long each URL is valid: also how long caches may keep the bucket's answer. */
  readonly seconds: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #signed = new Map<string, Signed>();

  constructor(files: BlobStore, options: DirectUrlsOptions) {
    if (!files.directUrl) throw new Error('The CDN tier redirects only to a store that signs URLs');
    this.#sign = files.directUrl.bind(files);
    this.seconds = options.seconds;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** The URL of a file answered with these headers, when one is at hand. */
  peek(key: string, headers: DirectUrlHeaders): string | undefined {
    const signed = this.#signed.get(`${key}\n${headers.cacheControl}`);
    return signed && signed.until > this.#now() ? signed.url : undefined;
  }

  /** The URL of a file answered with these headers, signing one when none is at hand. */
  async get(key: string, headers: DirectUrlHeaders): Promise<string> {
    const known = this.peek(key, headers);
    if (known) return known;
    const until = this.#now() + (this.seconds * 1000) / 2;
    const url = await this.#sign(key, this.seconds, headers);
    const memo = `${key}\n${headers.cacheControl}`;
    this.#signed.delete(memo);
    this.#signed.set(memo, { url, until });
    if (this.#signed.size > this.#maxKeys)
      this.#signed.delete(this.#signed.keys().next().value as string);
    return url;
  }
}
