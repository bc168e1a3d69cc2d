import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-serializers.ts';

describe('redactUrl', () => {
  it('hides the values that grant access, keeping the rest of the URL', () => {
    expect(redactUrl('/cdn/a/b/thumbnail/p.jpg?v=-&e=1700000000&s=abcdef')).toBe(
      '/cdn/a/b/thumbnail/p.jpg?v=-&e=1700000000&s=[redacted]',
    );
    expect(redactUrl('/v1/photos?token=secret&limit=10&access_token=x')).toBe(
      '/v1/photos?token=[redacted]&limit=10&access_token=[redacted]',
    );
    expect(redactUrl('/o?X-Amz-Signature=1&X-Amz-Credential=k&X-Amz-Expires=60')).toBe(
      '/o?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&X-Amz-Expires=60',
    );
    expect(redactUrl('/v1/photos?%73=sig')).toBe('/v1/photos?%73=[redacted]');
    expect(redactUrl('/v1/photos?%E0=1')).toBe('/v1/photos?%E0=1');
    expect(redactUrl('/v1/photos')).toBe('/v1/photos');
  });
});
