import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BASE, ID, photoFixture, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Photo ids whose last hex digits count 9 (newest) down to 0; the cursor is the item's number. */
const ids = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map(
  (n) => `01a20cdf-0c57-7000-b760-${String(n).padStart(12, '0')}`,
);

/** A keyset-paged list like the server's, recording each query it was asked. */
function pagedList(queries: URLSearchParams[]) {
  return ({ request }: { request: Request }) => {
    const query = new URL(request.url).searchParams;
    queries.push(query);
    const limit = Number(query.get('limit'));
    const numbers = ids.map((_id, index) => 9 - index);
    const after = query.get('after');
    const before = query.get('before');
    const window =
      before !== null
        ? numbers.filter((n) => n > Number(before)).slice(-limit)
        : numbers.filter((n) => after === null || n < Number(after)).slice(0, limit);
    const first = window[0] as number;
    const last = window.at(-1) as number;
    return HttpResponse.json({
      items: window.map((n) => photoFixture({ id: ids[9 - n] as string })),
      nextCursor: numbers.some((n) => n < last) ? String(last) : null,
      prevCursor: numbers.some((n) => n > first) ? String(first) : null,
    });
  };
}

describe.each([
  ['photos.list', `${BASE}/v1/users/ada/photos`, 'photos'],
  ['albums.photos', `${BASE}/v1/albums/${ID}/photos`, 'albums'],
] as const)('%s', (_name, url, resource) => {
  const list = (query: { limit?: number; after?: string; before?: string }) => {
    const client = testClient();
    return resource === 'photos'
      ? client.photos.list('ada', query)
      : client.albums.photos(ID, query);
  };

  it('sends limit and after, and pages forward by nextCursor', async () => {
    const queries: URLSearchParams[] = [];
    server.use(http.get(url, pagedList(queries)));
    const pages: number[] = [];
    for await (const page of list({ limit: 3, after: '8' }).pages()) pages.push(page.items.length);
    expect(pages).toEqual([3, 3, 2]);
    expect(queries.map((q) => Object.fromEntries(q))).toEqual([
      { limit: '3', after: '8' },
      { limit: '3', after: '5' },
      { limit: '3', after: '2' },
    ]);
  });

  it('sends before, and pages backward by prevCursor', async () => {
    const queries: URLSearchParams[] = [];
    server.use(http.get(url, pagedList(queries)));
    const seen: string[][] = [];
    for await (const page of list({ limit: 4, before: '2' }).pages('backward'))
      seen.push(page.items.map((photo) => photo.id.slice(-1)));
    expect(seen).toEqual([
      ['6', '5', '4', '3'],
      ['9', '8', '7'],
    ]);
    expect(queries.map((q) => Object.fromEntries(q))).toEqual([
      { limit: '4', before: '2' },
      { limit: '4', before: '6' },
    ]);
  });
});
