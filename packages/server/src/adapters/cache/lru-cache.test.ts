import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.ts';

describe('LruCache', () => {
  it('forgets entries when they expire', async () => {
    let now = 0;
    const cache = new LruCache(10, () => now);
    await cache.set('a', 1, 100);
    now = 99;
    expect(await cache.get('a')).toBe(1);
    now = 100;
    expect(await cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', async () => {
    const cache = new LruCache(2);
    await cache.set('a', 1, 1000);
    await cache.set('b', 2, 1000);
    await cache.get('a');
    await cache.set('c', 3, 1000);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([
      1,
      undefined,
      3,
    ]);
  });

  it('adds a key for exactly one of several callers racing for it, and again once it expired', async () => {
    let now = 0;
    const cache = new LruCache(10, () => now);
    const added = await Promise.all([1, 2, 3].map((value) => cache.add('key', value, 100)));
    expect(added.filter(Boolean)).toHaveLength(1);
    expect(await cache.get('key')).toBe(added.indexOf(true) + 1);
    now = 100;
    expect(await cache.add('key', 4, 100)).toBe(true);
    expect(await cache.get('key')).toBe(4);
  });
});
