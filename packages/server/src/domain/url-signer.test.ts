import { describe, expect, it } from 'vitest';
import { UrlSigner } from './url-signer.ts';

const KEY = 'u/default/thumbnail/p.jpg';

/** The `v`, `e` and `s` parameters of a signed URL. */
function parts(url: string): [string, string, string] {
  const query = new URL(url, 'http://cdn').searchParams;
  return [query.get('v') ?? '', query.get('e') ?? '', query.get('s') ?? ''];
}

describe('UrlSigner', () => {
  const signer = new UrlSigner(Buffer.alloc(32, 7), 3600, '/cdn/');
  const now = Date.UTC(2026, 11, 1, 12, 0, 5);
  const expires = signer.expiry(now);

  it('verifies what it signed, for that key and viewer only', () => {
    const url = signer.url(KEY, 'viewer-1', expires);
    expect(url.startsWith(`/cdn/${KEY}?`)).toBe(true);
    const [viewer, e, s] = parts(url);
    expect(signer.verify(KEY, viewer, e, s, now)).toBe('valid');
    expect(signer.verify('u/default/original/p.jpg', viewer, e, s, now)).toBe('invalid');
    expect(signer.verify(KEY, 'viewer-2', e, s, now)).toBe('invalid');
    expect(signer.verify(KEY, viewer, String(Number(e) + 60), s, now)).toBe('invalid');
  });

  it('refuses a tampered or malformed signature, and another secret', () => {
    const [viewer, e, s] = parts(signer.url(KEY, '-', expires));
    const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(signer.verify(KEY, viewer, e, flipped, now)).toBe('invalid');
    expect(signer.verify(KEY, viewer, e, `${s}=`, now)).toBe('invalid');
    expect(signer.verify(KEY, viewer, 'soon', s, now)).toBe('invalid');
    const other = new UrlSigner(Buffer.alloc(32, 8), 3600, '/cdn');
    expect(other.verify(KEY, viewer, e, s, now)).toBe('invalid');
  });

  it('still checks the expiry of a signature it has verified before', () => {
    const [viewer, e, s] = parts(signer.url(KEY, '-', expires));
    expect(signer.verify(KEY, viewer, e, s, now)).toBe('valid');
    expect(signer.verify(KEY, viewer, e, s, Number(e) * 1000 + 1)).toBe('expired');
  });

  it('rounds the expiry up to the minute, so URLs repeat within a minute', () => {
    expect(expires % 60).toBe(0);
    expect(signer.expiry(now + 30_000)).toBe(expires);
    expect(signer.url(KEY, '-', expires)).toBe(signer.url(KEY, '-', signer.expiry(now + 1)));
  });
});
