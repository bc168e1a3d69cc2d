import { describe, expect, it } from 'vitest';
import { UnsupportedFormatError } from './errors.ts';
import { detectFormat } from './source-format.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((part) =>
      typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part),
    ),
  );

const ftyp = (major: string, ...compatible: string[]) => {
  const box = bytes(
    [0, 0, 0, 16 + 4 * compatible.length],
    'ftyp',
    major,
    [0, 0, 0, 0],
    ...compatible,
  );
  return Buffer.concat([box, Buffer.alloc(16)]);
};

describe('detectFormat', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['gif', bytes('GIF89a')],
    ['gif', bytes('GIF87a')],
    ['webp', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')],
    ['tiff', bytes([0x49, 0x49, 0x2a, 0x00])],
    ['tiff', bytes([0x4d, 0x4d, 0x00, 0x2a])],
    ['avif', ftyp('avif', 'mif1', 'miaf')],
    ['avif', ftyp('mif1', 'avif')],
    ['heic', ftyp('heic', 'mif1', 'heic')],
    ['heic', ftyp('mif1', 'heic')],
  ] as const)('recognises %s from its magic bytes', (format, head) => {
    expect(detectFormat(head)).toBe(format);
  });

  it.each([
    ['svg', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'],
    ['svg', '\uFEFF  <?xml version="1.0"?><svg>'],
    ['pdf', '%PDF-1.7\n'],
    ['text', 'Dear diary, this is not a photograph at all.'],
  ])('refuses %s before any decoder sees it', (detected, content) => {
    const error = catchError(() => detectFormat(Buffer.from(content)));
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error).toMatchObject({ code: 'unsupported_format', detected });
  });

  it('refuses an empty file and unknown binary data', () => {
    expect(catchError(() => detectFormat(Buffer.alloc(0)))).toMatchObject({
      detected: 'empty file',
    });
    expect(
      catchError(() => detectFormat(Buffer.from([0, 1, 2, 3, 200, 201, 202, 203]))),
    ).toMatchObject({
      detected: 'unknown binary data',
    });
  });

  it('refuses ISO media that is neither AVIF nor HEIC, such as an MP4 video', () => {
    expect(catchError(() => detectFormat(ftyp('isom', 'mp41')))).toBeInstanceOf(
      UnsupportedFormatError,
    );
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
