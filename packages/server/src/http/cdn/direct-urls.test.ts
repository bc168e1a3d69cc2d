import { describe, expect, it } from 'vitest';
import type { BlobStore, DirectUrlHeaders } from '../../ports/blob-store.ts';
import { DirectUrls } from './direct-urls.ts';

/** A store that signs URLs with a counter, so each signing is told apart. */
function signingStore() {
  const signed: string[] = [];
  const store = {
    directUrl: async (key: string, seconds: number, headers: DirectUrlHeaders) => {
      signed.push(key);
      return `https://bucket.example/${key}?life=${seconds}&cc=${headers.cacheControl}&n=${signed.length}`;
    },
  } as unknown as BlobStore;
  return { store, signed };
}

const headers = { cacheControl: 'public, max-age=60', contentType: 'image/jpeg' };

describe('DirectUrls', () => {
  it('signs a file once and hands the URL out for half its life, then signs anew', async () => {
    let now = 0;
    const { store, signed } = signingStore();
    const urls = new DirectUrls(store, { seconds: 60, now: () => now });
    expect(urls.peek('a', headers)).toBeUndefined();
    const first = await urls.get('a', headers);
    expect(first).toContain('life=60');
    now = 29_999;
    expect(urls.peek('a', headers)).toBe(first);
    expect(await urls.get('a', headers)).toBe(first);
    now = 30_000;
    expect(urls.peek('a', headers)).toBeUndefined();
    expect(await urls.get('a', headers)).not.toBe(first);
    expect(signed).toEqual(['a', 'a']);
  });

  it('keeps a URL per caching, so a photo made private is never sent to a public answer', async () => {
    const { store } = signingStore();
    const urls = new DirectUrls(store, { seconds: 60 });
    const open = await urls.get('a', headers);
    const closed = await urls.get('a', { ...headers, cacheControl: 'private, max-age=60' });
    expect(closed).not.toBe(open);
    expect(closed).toContain('cc=private');
  });

  it('forgets the oldest URLs past its size', async () => {
    const { store } = signingStore();
    const urls = new DirectUrls(store, { seconds: 60, maxKeys: 2 });
    for (const key of ['a', 'b', 'c']) await urls.get(key, headers);
    expect(urls.peek('a', headers)).toBeUndefined();
    expect(urls.peek('b', headers)).toBeDefined();
    expect(urls.peek('c', headers)).toBeDefined();
  });

  it('refuses a store that cannot sign URLs', () => {
    expect(() => new DirectUrls({} as BlobStore, { seconds: 60 })).toThrow(/signs URLs/);
  });
});
