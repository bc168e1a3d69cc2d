import { createHash } from 'node:crypto';

/** What a request is, for telling a retry from another request under the same idempotency key. */
export interface FingerprintedRequest {
  method: string;
  /** The path with its query, as sent. */
  url: string;
  /** The body as the route's schema parsed it; undefined when there is none. */
  body: unknown;
}

/**
 * SHA-256 over the method, the path with its query, and the body in
 * canonical JSON (object keys sorted, no whitespace).
 *
 * Why the parsed body and not the raw bytes: a key promises "the same
 * operation", and a client that serialises its body again for a retry may
 * order keys differently, space them differently or escape `é` as `\u00e9`.
 * Those bytes differ, the operation does not, and a byte hash would refuse
 * a genuine retry with 422. The body hashed is the one the route's schema
 * produced (unknown keys dropped, strings trimmed where the contract trims),
 * which is exactly what the handler acts on: two bodies with one canonical
 * form do the same thing.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  return createHash('sha256')
    .update(`${request.method}\n${request.url}\n${canonicalJson(request.body)}`)
    .digest('base64url');
}

/** JSON with object keys sorted at every depth; undefined members left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? '';
}
