import { describe, expect, it } from 'vitest';
import { pageQuery, startCursor } from './photo-listing.ts';

describe('photo listing queries', () => {
  it('asks for the same status on every page, beside that page’s cursor', () => {
    const query = { status: 'failed' as const, limit: 20, after: 'c1' };
    expect(pageQuery(query, startCursor(query))).toEqual({
      limit: 20,
      status: 'failed',
      after: 'c1',
    });
    // The next page: the query's own cursor gives way to the page's.
    expect(pageQuery(query, { after: 'c2' })).toEqual({ limit: 20, status: 'failed', after: 'c2' });
  });

  it('lists every status, a hundred at a time, from the newest, when told nothing', () => {
    expect(pageQuery({}, startCursor({}))).toEqual({ limit: 100 });
  });
});
