// The comments and favorites resources against a fake server: what each
// call sends, paging, and the typed errors of their problems.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Comment } from '../src/contract/comments.ts';
import { CommentsDisabledError, NotFoundError, PermissionDeniedError } from '../src/errors.ts';
import { BASE, CREATED, ID, OTHER_ID, photoFixture, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const comment = (n: number): Comment => ({
  id: `01a20cdf-0c57-7000-b760-${String(n).padStart(12, '0')}`,
  photoId: ID,
  author: { id: OTHER_ID, username: 'ada' },
  text: `comment ${n}`,
  createdAt: CREATED,
  editedAt: null,
});

describe('client.comments', () => {
  it('pages through a photo’s comments in the order asked, sending it with every page', async () => {
    const queries: Record<string, string>[] = [];
    server.use(
      http.get(`${BASE}/v1/photos/${ID}/comments`, ({ request }) => {
        const query = Object.fromEntries(new URL(request.url).searchParams);
        queries.push(query);
        const after = Number(query.after ?? 0);
        const items = [1, 2]
          .map((i) => comment(after + i))
          .filter((c) => Number(c.text.slice(8)) <= 5);
        const last = Number(items.at(-1)?.text.slice(8));
        return HttpResponse.json({
          items,
          nextCursor: last < 5 ? String(last) : null,
          prevCursor: after ? String(after + 1) : null,
        });
      }),
    );
    const texts = (
      await testClient().comments.list(ID, { order: 'newest', limit: 2 }).toArray()
    ).map((c) => c.text);
    expect(texts).toEqual(['comment 1', 'comment 2', 'comment 3', 'comment 4', 'comment 5']);
    expect(queries).toEqual([
      { limit: '2', order: 'newest' },
      { limit: '2', order: 'newest', after: '2' },
      { limit: '2', order: 'newest', after: '4' },
    ]);
  });

  it('adds, edits and deletes, sending the text as written', async () => {
    const sent: unknown[] = [];
    server.use(
      http.post(`${BASE}/v1/photos/${ID}/comments`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(comment(1), { status: 201 });
      }),
      http.patch(`${BASE}/v1/comments/${comment(1).id}`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json({ ...comment(1), text: 'fixed', editedAt: CREATED });
      }),
      http.delete(
        `${BASE}/v1/comments/${comment(1).id}`,
        () => new HttpResponse(null, { status: 204 }),
      ),
    );
    const client = testClient();
    expect(await client.comments.add(ID, ' two\nlines ')).toEqual(comment(1));
    expect((await client.comments.edit(comment(1).id, 'fixed')).editedAt).toBe(CREATED);
    expect(await client.comments.delete(comment(1).id)).toBeUndefined();
    expect(sent).toEqual([{ text: ' two\nlines ' }, { text: 'fixed' }]);
  });

  it('throws a CommentsDisabledError, a PermissionDeniedError, when the owner turned comments off', async () => {
    server.use(
      http.post(`${BASE}/v1/photos/${ID}/comments`, () =>
        problem(403, 'comments_disabled', 'The photo’s owner has turned comments off'),
      ),
    );
    const error = await testClient()
      .comments.add(ID, 'hello')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommentsDisabledError);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, code: 'comments_disabled', requestId: 'req-1' });
  });
});

describe('client.favorites', () => {
  it('adds and removes with PUT and DELETE, answering where the photo stands', async () => {
    const methods: string[] = [];
    const state = (favorited: boolean) => ({
      photoId: ID,
      favorited,
      favoriteCount: favorited ? 1 : 0,
    });
    server.use(
      http.put(`${BASE}/v1/photos/${ID}/favorite`, ({ request }) => {
        methods.push(request.method);
        return HttpResponse.json(state(true));
      }),
      http.delete(`${BASE}/v1/photos/${ID}/favorite`, ({ request }) => {
        methods.push(request.method);
        return HttpResponse.json(state(false));
      }),
    );
    const client = testClient();
    expect(await client.favorites.add(ID)).toEqual(state(true));
    expect(await client.favorites.remove(ID)).toEqual(state(false));
    expect(methods).toEqual(['PUT', 'DELETE']);
  });

  it('lists favorites page by page, and reports a photo it may not see as not found', async () => {
    const queries: Record<string, string>[] = [];
    server.use(
      http.get(`${BASE}/v1/me/favorites`, ({ request }) => {
        const query = Object.fromEntries(new URL(request.url).searchParams);
        queries.push(query);
        const photo = photoFixture({ favorited: true, favoriteCount: 3 });
        return HttpResponse.json({
          items: [{ favoritedAt: CREATED, photo }],
          nextCursor: query.after ? null : 'c1',
          prevCursor: null,
        });
      }),
      http.put(`${BASE}/v1/photos/${OTHER_ID}/favorite`, () =>
        problem(404, 'not_found', 'Photo not found'),
      ),
    );
    const client = testClient();
    const favorites = await client.favorites.list({ limit: 1 }).toArray();
    expect(favorites.map((f) => f.photo.favoriteCount)).toEqual([3, 3]);
    expect(queries).toEqual([{ limit: '1' }, { limit: '1', after: 'c1' }]);
    await expect(client.favorites.add(OTHER_ID)).rejects.toBeInstanceOf(NotFoundError);
  });
});
