import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  RENDER_SPEC_VERSION,
  renditionSize,
  resolveSpecs,
  scaleFor,
  THUMBNAIL_SPEC,
} from './rendition-spec.ts';

describe('resolveSpecs', () => {
  it('fills the defaults of a spec', () => {
    expect(resolveSpecs([{ name: 'medium', width: 640 }])).toEqual([
      { name: 'medium', width: 640, fit: 'inside', format: 'jpeg', quality: 80 },
    ]);
  });

  it.each([
    [[], /at least one/i],
    [[{ name: 'Thumb', width: 50 }], /name must match/],
    [
      [
        { name: 'a', width: 50 },
        { name: 'a', width: 60 },
      ],
      /used twice/,
    ],
    [[{ name: 'a' }], /width, a height or both/],
    [[{ name: 'a', width: 0 }], /width must be an integer/],
    [[{ name: 'a', width: 50.5 }], /width must be an integer/],
    [[{ name: 'a', height: 100_000 }], /height must be an integer/],
    [[{ name: 'a', width: 75, fit: 'cover' as const }], /cover" needs both/],
    [[{ name: 'a', width: 75, quality: 0 }], /quality/],
    [[{ name: 'a', width: 75, format: 'bmp' as never }], /format/],
  ])('refuses %j', (specs, message) => {
    expect(() => resolveSpecs(specs)).toThrow(message);
  });
});

describe('scaleFor', () => {
  const [thumbnail] = resolveSpecs([THUMBNAIL_SPEC]);
  it('scales a landscape photo to 50 px wide', () => {
    expect(scaleFor(thumbnail!, 4000, 3000)).toBe(50 / 4000);
  });
  it('never enlarges', () => {
    expect(scaleFor(thumbnail!, 20, 10)).toBe(1);
  });
  it('caps a tall strip at ten times the width', () => {
    expect(scaleFor(thumbnail!, 100, 10_000)).toBe(500 / 10_000);
  });
  it('covers a square crop from the short side', () => {
    const [square] = resolveSpecs([{ name: 'square', width: 75, height: 75, fit: 'cover' }]);
    expect(scaleFor(square!, 300, 150)).toBe(75 / 150);
  });
});

describe('RENDER_SPEC_VERSION', () => {
  it('names the sharp and libvips builds, whose upgrades can change output bytes', () => {
    expect(RENDER_SPEC_VERSION).toContain(`sharp${sharp.versions.sharp}`);
    expect(RENDER_SPEC_VERSION).toContain(`vips${sharp.versions.vips}`);
  });
});

describe('renditionSize', () => {
  it('gives the size the default thumbnail renders at', () => {
    expect(renditionSize(THUMBNAIL_SPEC, 4000, 3000)).toEqual({ width: 50, height: 38 });
    expect(renditionSize(THUMBNAIL_SPEC, 20, 10)).toEqual({ width: 20, height: 10 });
    expect(renditionSize(THUMBNAIL_SPEC, 10, 4000)).toEqual({ width: 1, height: 500 });
  });
  it('gives the box for a cover crop, never larger than the source', () => {
    expect(renditionSize({ name: 'sq', width: 75, height: 75, fit: 'cover' }, 300, 150)).toEqual({
      width: 75,
      height: 75,
    });
    expect(renditionSize({ name: 'sq', width: 75, height: 75, fit: 'cover' }, 300, 50)).toEqual({
      width: 75,
      height: 50,
    });
  });
});
