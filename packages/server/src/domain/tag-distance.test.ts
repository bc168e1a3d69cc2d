import { describe, expect, it } from 'vitest';
import { tagMatches, typoDistance } from './tag-distance.ts';

describe('typoDistance', () => {
  it('counts a swap of neighbours as one typo', () => {
    expect(typoDistance('sunest', 'sunset')).toBe(1);
  });
  it('counts insertions, deletions and substitutions', () => {
    expect(typoDistance('beach', 'beech')).toBe(1);
    expect(typoDistance('mountain', 'montain')).toBe(1);
    expect(typoDistance('kitten', 'sitting')).toBe(3);
    expect(typoDistance('', 'abc')).toBe(3);
  });
  it('counts code points, not UTF-16 units', () => {
    expect(typoDistance('🐱cat', '🐶cat')).toBe(1);
  });
});

describe('tagMatches', () => {
  it('takes tags the word begins, from three letters on', () => {
    expect(tagMatches('sun', 'sunflower')).toBe(true);
    expect(tagMatches('su', 'sunflower')).toBe(false);
  });
  it('takes tags a typo away, and two for long words', () => {
    expect(tagMatches('sunest', 'sunset')).toBe(true);
    expect(tagMatches('architcetrue', 'architecture')).toBe(true);
    expect(tagMatches('cat', 'bat')).toBe(false);
    expect(tagMatches('beach', 'bench')).toBe(true);
    expect(tagMatches('beach', 'brunch')).toBe(false);
  });
});
