import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/** Where the CDN tier serves files, under the API's origin or its own (`FLICKR_CDN_URL`). */
export const CDN_PREFIX = '/cdn';

/** Who a URL was signed for: a user id, or `-` for anyone (public photos). */
export type UrlViewer = string;
export const ANYONE: UrlViewer = '-';

export type Verdict = 'valid' | 'invalid' | 'expired';

const MAC_BYTES = 16;

/** Signatures remembered as checked; a page of thumbnails is fetched again and again. */
const VERIFIED_CAPACITY = 50_000;

/**
 * Signs CDN URLs: HMAC-SHA256 over the blob key, the viewer and the expiry.
 * Expiry is rounded up to the minute so that a page of thumbnails fetched
 * twice within a minute gets the same URLs, and browsers can cache them.
 */
export class UrlSigner {
  /** A KeyObject, not the Buffer: HMAC with a Buffer key re-imports it on every call, several times slower. */
  readonly #secret: KeyObject;
  readonly #ttlSeconds: number;
  readonly #prefix: string;
  /**
   * Inputs whose MAC matched, oldest first. A MAC depends on nothing but its
   * inputs and the secret, so a match found once holds until the expiry (which
   * is checked on every call); computing it costs more than the rest of a
   * CDN request. Only matches are kept, so forged URLs cannot fill it.
   */
  readonly #verified = new Set<string>();

  constructor(secret: Buffer, ttlSeconds: number, prefix: string) {
    this.#secret = createSecretKey(secret);
    this.#ttlSeconds = ttlSeconds;
    this.#prefix = prefix.replace(/\/$/, '');
  }

  expiry(nowMs = Date.now()): number {
    return Math.ceil((nowMs / 1000 + this.#ttlSeconds) / 60) * 60;
  }

  #mac(key: string, viewer: UrlViewer, expires: number): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`cdn\n${key}\n${viewer}\n${expires}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  url(key: string, viewer: UrlViewer, expires: number): string {
    const signature = this.#mac(key, viewer, expires).toString('base64url');
    return `${this.#prefix}/${key}?v=${encodeURIComponent(viewer)}&e=${expires}&s=${signature}`;
  }

  verify(
    key: string,
    viewer: string,
    expires: string,
    signature: string,
    nowMs = Date.now(),
  ): Verdict {
    if (!/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{22}$/.test(signature)) return 'invalid';
    const verdict = Number(expires) * 1000 < nowMs ? 'expired' : 'valid';
    const inputs = `${key}\n${viewer}\n${expires}\n${signature}`;
    if (this.#verified.has(inputs)) return verdict;
    const expected = this.#mac(key, viewer, Number(expires));
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    this.#verified.add(inputs);
    if (this.#verified.size > VERIFIED_CAPACITY) {
      const oldest = this.#verified.values().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    return verdict;
  }
}
