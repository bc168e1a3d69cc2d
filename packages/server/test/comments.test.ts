// Comments: listed oldest or newest first by keyset, added, edited by their
// author, deleted by their author or the photo's owner; switched off per
// photo (and by default per account); visible exactly to those who may see
// the photo, and gone with it.
import {
  COMMENT_MAX_LENGTH,
  type Comment,
  type Page,
  type Photo,
  type Problem,
  type UserSettings,
} from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/domain/ids.ts';
import { purgeDeletedPhotos } from '../src/jobs/purge-deleted.ts';
import { callApi } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { seedPhotos } from './seed.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('comments', () => {
  let server: TestServer;
  let owner: User;
  let friend: User;
  let stranger: User;

  const api = <T = Record<string, unknown>>(
    user: User | undefined,
    method: string,
    path: string,
    body?: unknown,
  ) => callApi<T>(server.url, user, method, path, body);
  const comment = async (user: User, photoId: string, text: string) => {
    const answer = await api<Comment>(user, 'POST', `/v1/photos/${photoId}/comments`, { text });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  };
  const list = async (user: User | undefined, photoId: string, query = '') => {
    const answer = await api<Page<Comment>>(
      user,
      'GET',
      `/v1/photos/${photoId}/comments${query ? `?${query}` : ''}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const texts = (page: Page<Comment>) => page.items.map((c) => c.text);
  /** A ready photo of the owner's, straight into the store. */
  const photoOf = async (user: User, overrides: Parameters<typeof seedPhotos>[3] = {}) =>
    (await seedPhotos(server.services.store, user.userId, 1, overrides))[0] as string;

  beforeAll(async () => {
    server = await startTestServer();
    [owner, friend, stranger] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ];
    await api(owner, 'POST', '/v1/shares', { username: friend.username });
  });
  afterAll(() => server.destroy());

  it('lists a conversation oldest first by default, newest first on request, page by page both ways', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const written: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const author = [owner, friend, stranger][i % 3] as User;
      written.push((await comment(author, photo, `comment ${i}`)).text);
    }

    const first = await list(undefined, photo, 'limit=3');
    expect(texts(first)).toEqual(written.slice(0, 3));
    expect(first.prevCursor).toBeNull();
    const second = await list(undefined, photo, `limit=3&after=${first.nextCursor}`);
    expect(texts(second)).toEqual(written.slice(3, 6));
    const third = await list(undefined, photo, `limit=3&after=${second.nextCursor}`);
    expect(texts(third)).toEqual(written.slice(6));
    expect(third.nextCursor).toBeNull();
    const back = await list(undefined, photo, `limit=3&before=${third.prevCursor}`);
    expect(texts(back)).toEqual(written.slice(3, 6));

    const newest = await list(undefined, photo, 'limit=3&order=newest');
    expect(texts(newest)).toEqual(written.slice(4).reverse());
    const older = await list(undefined, photo, `limit=3&order=newest&after=${newest.nextCursor}`);
    expect(texts(older)).toEqual(written.slice(1, 4).reverse());
    const newer = await list(undefined, photo, `limit=3&order=newest&before=${older.prevCursor}`);
    expect(texts(newer)).toEqual(texts(newest));
    expect(newer.prevCursor).toBeNull();

    // Each comment names its author and the photo, and was never edited.
    const [one] = first.items;
    expect(one).toMatchObject({
      photoId: photo,
      author: { id: friend.userId, username: friend.username },
      editedAt: null,
    });
  });

  it('keeps paging exactly while comments are added and deleted between pages', async () => {
    const photo = await photoOf(owner);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await comment(owner, photo, `c${i}`)).id);
    const first = await list(owner, photo, 'limit=2');
    // The comment the cursor points at is deleted, one further on too, and a new one arrives.
    await api(owner, 'DELETE', `/v1/comments/${ids[1]}`);
    await api(owner, 'DELETE', `/v1/comments/${ids[3]}`);
    const late = await comment(owner, photo, 'late');
    const rest = await list(owner, photo, `limit=10&after=${first.nextCursor}`);
    expect(rest.items.map((c) => c.id)).toEqual([ids[2], ids[4], ids[5], late.id]);
  });

  it('lets the author edit a comment, which then shows editedAt; nobody else may', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const written = await comment(friend, photo, 'fisrt!');
    const edited = await api<Comment>(friend, 'PATCH', `/v1/comments/${written.id}`, {
      text: 'first!',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: written.id,
      text: 'first!',
      createdAt: written.createdAt,
      editedAt: expect.any(String),
    });
    expect(Date.parse(edited.body.editedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(written.createdAt),
    );
    expect((await list(stranger, photo)).items).toEqual([edited.body]);

    // The photo's owner may delete it, not put words in its author's mouth.
    for (const user of [owner, stranger]) {
      const refused = await api<Problem>(user, 'PATCH', `/v1/comments/${written.id}`, {
        text: 'pwned',
      });
      expect(refused.body).toMatchObject({ status: 403, code: 'forbidden' });
    }
    expect(texts(await list(owner, photo))).toEqual(['first!']);
  });

  it('lets the author and the photo’s owner delete a comment, and nobody else', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const byFriend = await comment(friend, photo, 'by friend');
    const byStranger = await comment(stranger, photo, 'by stranger');
    const third = await comment(stranger, photo, 'another');
    expect((await api<Problem>(friend, 'DELETE', `/v1/comments/${byStranger.id}`)).status).toBe(
      403,
    );
    expect((await api(friend, 'DELETE', `/v1/comments/${byFriend.id}`)).status).toBe(204);
    expect((await api(owner, 'DELETE', `/v1/comments/${byStranger.id}`)).status).toBe(204);
    expect(texts(await list(undefined, photo))).toEqual([third.text]);
    // Deleted is gone: deleting again, or editing, is a comment not found.
    const again = await api<Problem>(owner, 'DELETE', `/v1/comments/${byStranger.id}`);
    expect(again.body).toMatchObject({ status: 404, code: 'not_found' });
    const edit = await api<Problem>(friend, 'PATCH', `/v1/comments/${byFriend.id}`, { text: 'x' });
    expect(edit.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('shows comments exactly to those who may see the photo, and answers others as for nothing at all', async () => {
    const photo = await photoOf(owner, { visibility: 'private' });
    const written = await comment(friend, photo, 'for friends only');
    expect(texts(await list(owner, photo))).toEqual(['for friends only']);
    expect(texts(await list(friend, photo))).toEqual(['for friends only']);

    const problemOf = ({ status, body }: { status: number; body: Record<string, unknown> }) => ({
      ...body,
      status,
      requestId: undefined,
    });
    const missingComment = uuidv7();
    const missingPhoto = uuidv7();
    for (const user of [stranger, undefined]) {
      for (const [method, hidden, missing, body] of [
        ['GET', `/v1/photos/${photo}/comments`, `/v1/photos/${missingPhoto}/comments`, undefined],
        [
          'POST',
          `/v1/photos/${photo}/comments`,
          `/v1/photos/${missingPhoto}/comments`,
          { text: 'hi' },
        ],
        ['PATCH', `/v1/comments/${written.id}`, `/v1/comments/${missingComment}`, { text: 'x' }],
        ['DELETE', `/v1/comments/${written.id}`, `/v1/comments/${missingComment}`, undefined],
      ] as const) {
        if (!user && method !== 'GET') continue;
        const a = await api(user, method, hidden, body);
        const b = await api(user, method, missing, body);
        expect(problemOf(a), `${method} ${hidden}`).toEqual(problemOf(b));
        expect(a.status).toBe(404);
      }
    }

    // A share revoked takes the conversation with it; the comment stays for those who may see it.
    await api(owner, 'DELETE', `/v1/shares/${friend.username}`);
    try {
      expect((await api(friend, 'GET', `/v1/photos/${photo}/comments`)).status).toBe(404);
      expect((await api(friend, 'DELETE', `/v1/comments/${written.id}`)).status).toBe(404);
      expect(texts(await list(owner, photo))).toEqual(['for friends only']);
    } finally {
      await api(owner, 'POST', '/v1/shares', { username: friend.username });
    }

    // Not ready yet: only its owner sees it, so only its owner may comment.
    const processing = await photoOf(owner, { visibility: 'public', status: 'processing' });
    expect(
      (await api(friend, 'POST', `/v1/photos/${processing}/comments`, { text: 'a' })).status,
    ).toBe(404);
    await comment(owner, processing, 'note to self');
  });

  it('keeps comments readable when the owner turns them off, and refuses new ones and edits', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const kept = await comment(friend, photo, 'before');
    const off = await api<Photo>(owner, 'PATCH', `/v1/photos/${photo}`, {
      commentsEnabled: false,
    });
    expect(off.body.commentsEnabled).toBe(false);

    const refused = await api<Problem>(stranger, 'POST', `/v1/photos/${photo}/comments`, {
      text: 'after',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'comments_disabled',
      type: 'https://flickr-kit.dev/problems/comments-disabled',
    });
    expect(refused.body.detail).toMatch(/turned comments off/);
    // The owner too: off is off.
    expect(
      (await api<Problem>(owner, 'POST', `/v1/photos/${photo}/comments`, { text: 'x' })).body,
    ).toMatchObject({ code: 'comments_disabled' });
    expect(
      (await api<Problem>(friend, 'PATCH', `/v1/comments/${kept.id}`, { text: 'changed' })).body,
    ).toMatchObject({ code: 'comments_disabled' });
    expect(texts(await list(undefined, photo))).toEqual(['before']);
    // Taking words back is still allowed.
    expect((await api(friend, 'DELETE', `/v1/comments/${kept.id}`)).status).toBe(204);

    await api(owner, 'PATCH', `/v1/photos/${photo}`, { commentsEnabled: true });
    expect((await comment(stranger, photo, 'back on')).text).toBe('back on');
  });

  it('gives new uploads the account’s default for comments, readable and writable through the API', async () => {
    const user = await registerUser(server.url);
    const settings = await api<UserSettings>(user, 'GET', '/v1/me/settings');
    expect(settings).toMatchObject({ status: 200, body: { commentsEnabledByDefault: true } });
    const before = await uploadPhoto(server.url, await testPhoto(7001, 64, 48), {
      token: user.token,
    });
    expect(before.photo.commentsEnabled).toBe(true);

    const changed = await api<UserSettings>(user, 'PATCH', '/v1/me/settings', {
      commentsEnabledByDefault: false,
    });
    expect(changed).toMatchObject({ status: 200, body: { commentsEnabledByDefault: false } });
    // The other settings keep their values.
    expect((await api<UserSettings>(user, 'GET', '/v1/me/settings')).body).toEqual({
      commentsEnabledByDefault: false,
      locationVisibilityDefault: 'shared',
    });
    const after = await uploadPhoto(server.url, await testPhoto(7002, 64, 48), {
      token: user.token,
    });
    expect(after.photo.commentsEnabled).toBe(false);
    // Photos uploaded before keep their own switch, and each photo can still be switched.
    expect(
      (await api<Photo>(user, 'GET', `/v1/photos/${before.photo.id}`)).body.commentsEnabled,
    ).toBe(true);
    const on = await api<Photo>(user, 'PATCH', `/v1/photos/${after.photo.id}`, {
      commentsEnabled: true,
    });
    expect(on.body.commentsEnabled).toBe(true);

    // An empty change changes nothing; an unknown setting is refused.
    expect((await api(user, 'PATCH', '/v1/me/settings', {})).body).toEqual({
      commentsEnabledByDefault: false,
      locationVisibilityDefault: 'shared',
    });
    expect((await api(user, 'PATCH', '/v1/me/settings', { theme: 'dark' })).status).toBe(400);
    // One user's settings are theirs alone.
    expect((await api<UserSettings>(owner, 'GET', '/v1/me/settings')).body).toEqual({
      commentsEnabledByDefault: true,
      locationVisibilityDefault: 'shared',
    });
  });

  it('refuses text that cannot be stored as written, blank text and text too long; keeps the rest exactly', async () => {
    const photo = await photoOf(owner);
    for (const text of ['a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\ud800b', '', ' \n\t ']) {
      const refused = await api<Problem>(owner, 'POST', `/v1/photos/${photo}/comments`, { text });
      expect(refused.status, JSON.stringify(text)).toBe(400);
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.errors?.map((error) => error.path)).toEqual(['body.text']);
    }
    const long = 'x'.repeat(COMMENT_MAX_LENGTH + 1);
    expect((await api(owner, 'POST', `/v1/photos/${photo}/comments`, { text: long })).status).toBe(
      400,
    );
    const kept = await comment(owner, photo, 'ok');
    expect((await api(owner, 'PATCH', `/v1/comments/${kept.id}`, { text: 'a\u0000' })).status).toBe(
      400,
    );
    expect(
      (await api(owner, 'POST', `/v1/photos/${photo}/comments`, { text: 'a', x: 1 })).status,
    ).toBe(400);

    const rich = ' Ŝ̷ünrïse 🌅 富士山の朝\r\n\tsecond line 👩‍👩‍👧 ';
    const written = await comment(owner, photo, rich);
    expect(written.text).toBe(rich);
    const longest = await comment(owner, photo, 'y'.repeat(COMMENT_MAX_LENGTH));
    expect(longest.text).toHaveLength(COMMENT_MAX_LENGTH);
    expect(texts(await list(owner, photo))).toEqual(['ok', rich, longest.text]);
  });

  it('makes a deleted photo’s comments unreachable at once, and purges them with it', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const written = await comment(friend, photo, 'soon gone');
    expect((await api(owner, 'DELETE', `/v1/photos/${photo}`)).status).toBe(204);
    for (const [user, method, path] of [
      [undefined, 'GET', `/v1/photos/${photo}/comments`],
      [owner, 'GET', `/v1/photos/${photo}/comments`],
      [friend, 'PATCH', `/v1/comments/${written.id}`],
      [friend, 'DELETE', `/v1/comments/${written.id}`],
      [owner, 'DELETE', `/v1/comments/${written.id}`],
    ] as const) {
      const answer = await api(user, method, path, method === 'PATCH' ? { text: 'x' } : undefined);
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
    const { store } = server.services;
    await purgeDeletedPhotos(store, [server.services.blobs], server.services.renditions, 0);
    expect(await store.comments.byId(written.id)).toBeUndefined();
  });

  it('tells the photo’s owner of a comment, and of a refused one nobody', async () => {
    const photo = await photoOf(owner, { visibility: 'public' });
    const written = await comment(stranger, photo, 'tell the owner');
    const told = async () =>
      (
        await api<{ items: { kind: string; photoId: string | null }[] }>(
          owner,
          'GET',
          '/v1/notifications',
        )
      ).body.items.filter((n) => n.photoId === photo);
    expect(await told()).toEqual([
      expect.objectContaining({ kind: 'comment_added', photoId: photo }),
    ]);
    expect(written.id).toBeTruthy();
    await api(owner, 'PATCH', `/v1/photos/${photo}`, { commentsEnabled: false });
    await api(stranger, 'POST', `/v1/photos/${photo}/comments`, { text: 'again' });
    expect(await told()).toHaveLength(1);
  });
});
