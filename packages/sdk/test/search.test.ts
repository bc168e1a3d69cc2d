import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.ts';
import { BASE, ID, OTHER_ID, photoFixture, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const URL_ = `${BASE}/v1/search/photos`;

describe('search.photos', () => {
  it('sends the query and filters, and pages forward by nextCursor', async () => {
    const queries: Record<string, string>[] = [];
    server.use(
      http.get(URL_, ({ request }) => {
        const query = Object.fromEntries(new URL(request.url).searchParams);
        queries.push(query);
        return HttpResponse.json(
          query.cursor
            ? { items: [photoFixture({ id: OTHER_ID })], nextCursor: null }
            : { items: [photoFixture({ id: ID })], nextCursor: '3.abc.def' },
        );
      }),
    );
    const found = await testClient()
      .search.photos('sunset beach', {
        owner: 'ada',
        tag: 'sea',
        visibility: 'public',
        takenFrom: '2024-01-01',
        takenTo: '2024-12-31',
        hasLocation: false,
        limit: 1,
      })
      .toArray();
    expect(found.map((photo) => photo.id)).toEqual([ID, OTHER_ID]);
    const filters = {
      q: 'sunset beach',
      owner: 'ada',
      tag: 'sea',
      visibility: 'public',
      takenFrom: '2024-01-01',
      takenTo: '2024-12-31',
      hasLocation: 'false',
      limit: '1',
    };
    expect(queries).toEqual([filters, { ...filters, cursor: '3.abc.def' }]);
  });

  it('starts from a cursor it is given, and has no previous page', async () => {
    server.use(
      http.get(URL_, ({ request }) => {
        expect(new URL(request.url).searchParams.get('cursor')).toBe('7.x.y');
        return HttpResponse.json({ items: [], nextCursor: null });
      }),
    );
    const page = await testClient().search.photos('owl', { cursor: '7.x.y' }).first();
    expect(page).toEqual({ items: [], nextCursor: null, prevCursor: null });
  });

  it('rejects a query without words with the server’s typed error', async () => {
    server.use(
      http.get(URL_, () => problem(400, 'bad_request', 'The query has no words to search for')),
    );
    const error = await testClient()
      .search.photos('?!')
      .first()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, code: 'bad_request' });
  });
});
