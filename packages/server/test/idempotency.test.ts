import type { Album } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';

describe('Idempotency-Key', () => {
  let server: TestServer;
  let token: string;

  /** Sends `body` (a string as it is, anything else as JSON) with a token and a key. */
  const send = (
    method: string,
    path: string,
    options: { key?: string; body?: unknown; as?: string } = {},
  ) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.as ?? token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
      },
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    });
  const createToken = (key: string | undefined, name = 'ci', as?: string) =>
    send('POST', '/v1/tokens', {
      ...(key ? { key } : {}),
      ...(as ? { as } : {}),
      body: { name, scopes: ['read', 'write'] },
    });
  const tokenNames = async () => {
    const response = await send('GET', '/v1/tokens');
    return ((await response.json()) as { items: { name: string }[] }).items.map(
      (item) => item.name,
    );
  };
  const albumsNamed = async (username: string, name: string) => {
    const response = await send('GET', `/v1/users/${username}/albums`);
    return ((await response.json()) as { items: Album[] }).items.filter(
      (album) => album.name === name,
    );
  };
  const replayed = (response: Response) => response.headers.get('idempotent-replayed') === 'true';

  let username: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token, username } = await registerUser(server.url));
  });
  afterAll(() => server.destroy());

  it('replays the first response to a retry with the same key, creating nothing twice', async () => {
    const first = await createToken('retry-1');
    const second = await createToken('retry-1');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect([replayed(first), replayed(second)]).toEqual([false, true]);
    expect(await second.json()).toEqual(await first.json());
    expect((await tokenNames()).filter((name) => name === 'ci')).toHaveLength(1);
  });

  it('replays a retry whose body says the same in other bytes', async () => {
    const first = await send('POST', '/v1/albums', { key: 'bytes-1', body: '{"name":"Été"}' });
    const again = await send('POST', '/v1/albums', {
      key: 'bytes-1',
      body: '{ "name" : "\\u00c9t\\u00e9" }',
    });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(replayed(again)).toBe(true);
    expect(await albumsNamed(username, 'Été')).toHaveLength(1);
  });

  it('refuses the same key on another path, or on the same path with another body, with 422', async () => {
    expect((await createToken('reuse-1')).status).toBe(201);
    const otherPath = await send('POST', '/v1/albums', { key: 'reuse-1', body: { name: 'x' } });
    await expectProblem(otherPath, 422, 'idempotency_key_reused');
    const otherBody = await createToken('reuse-1', 'another name');
    const problem = await expectProblem(otherBody, 422, 'idempotency_key_reused');
    expect(problem.detail).toMatch(/different request/);
    expect(await albumsNamed(username, 'x')).toEqual([]);
    expect(await tokenNames()).not.toContain('another name');
  });

  it('keeps keys per token: another token of the same user, or another user, runs its own request', async () => {
    const mine = await createToken('shared-key', 'mine');
    const apiToken = ((await mine.json()) as { token: string }).token;
    const sameUser = await createToken('shared-key', 'mine', apiToken);
    expect(sameUser.status).toBe(201);
    expect(replayed(sameUser)).toBe(false);
    const other = await registerUser(server.url);
    const otherUser = await createToken('shared-key', 'mine', other.token);
    expect(otherUser.status).toBe(201);
    expect(replayed(otherUser)).toBe(false);
    expect((await tokenNames()).filter((name) => name === 'mine')).toHaveLength(2);
  });

  it('leaves requests without a key alone', async () => {
    await createToken(undefined, 'plain');
    await createToken(undefined, 'plain');
    expect((await tokenNames()).filter((name) => name === 'plain')).toHaveLength(2);
  });

  describe('authorization comes first', () => {
    it('answers a token that lacks the scope with its 403, never a stored response, and leaves the key free', async () => {
      const readOnly = (
        (await (
          await send('POST', '/v1/tokens', { body: { name: 'reader', scopes: ['read'] } })
        ).json()) as { token: string }
      ).token;
      for (let attempt = 0; attempt < 2; attempt++) {
        const refused = await send('POST', '/v1/albums', {
          key: 'scoped-1',
          as: readOnly,
          body: { name: 'Scoped' },
        });
        await expectProblem(refused, 403, 'insufficient_scope');
        expect(replayed(refused)).toBe(false);
      }
      expect(await albumsNamed(username, 'Scoped')).toEqual([]);
    });

    it('answers a revoked token with 401 although its key holds a response', async () => {
      const created = (await (await createToken(undefined, 'short-lived')).json()) as {
        token: string;
        info: { id: string };
      };
      const first = await send('POST', '/v1/albums', {
        key: 'revoked-1',
        as: created.token,
        body: { name: 'Before revocation' },
      });
      expect(first.status).toBe(201);
      expect((await send('DELETE', `/v1/tokens/${created.info.id}`)).status).toBe(204);
      const retry = await send('POST', '/v1/albums', {
        key: 'revoked-1',
        as: created.token,
        body: { name: 'Before revocation' },
      });
      await expectProblem(retry, 401, 'unauthenticated');
      expect(replayed(retry)).toBe(false);
    });

    it('gives a caller who may not see the resource its own 404, and the owner its own answer', async () => {
      const album = (await (
        await send('POST', '/v1/albums', { body: { name: 'Mine' } })
      ).json()) as Album;
      const stranger = await registerUser(server.url);
      const theirs = await send('DELETE', `/v1/albums/${album.id}`, {
        key: 'delete-1',
        as: stranger.token,
      });
      await expectProblem(theirs, 404, 'not_found');
      const mine = await send('DELETE', `/v1/albums/${album.id}`, { key: 'delete-1' });
      expect([mine.status, replayed(mine)]).toEqual([204, false]);
      const again = await send('DELETE', `/v1/albums/${album.id}`, { key: 'delete-1' });
      expect([again.status, replayed(again)]).toEqual([204, true]);
    });
  });

  describe('what is kept', () => {
    it('keeps nothing for a request that fails validation: the key stays free for the corrected one', async () => {
      const invalid = await send('POST', '/v1/albums', { key: 'fix-1', body: { name: '' } });
      await expectProblem(invalid, 400, 'validation_failed');
      const corrected = await send('POST', '/v1/albums', { key: 'fix-1', body: { name: 'Fixed' } });
      expect([corrected.status, replayed(corrected)]).toEqual([201, false]);
    });

    it('keeps and replays the refusal of an operation that ran', async () => {
      const ghost = `g${Date.now().toString(36)}`;
      const first = await send('POST', '/v1/shares', { key: 'grant-1', body: { username: ghost } });
      const problem = await expectProblem(first, 404, 'not_found');
      await registerUser(server.url, ghost);
      const retry = await send('POST', '/v1/shares', { key: 'grant-1', body: { username: ghost } });
      // The very document the first answer carried, with the request id whose log explains it.
      expect([retry.status, replayed(retry)]).toEqual([404, true]);
      expect(retry.headers.get('content-type')).toContain('application/problem+json');
      expect(await retry.json()).toEqual(problem);
      const fresh = await send('POST', '/v1/shares', { key: 'grant-2', body: { username: ghost } });
      expect(fresh.status).toBe(201);
    });
  });

  describe('concurrent requests with one key', () => {
    it('runs exactly one; the others get 409 with Retry-After, or the replay', async () => {
      const body = { name: 'Raced' };
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => send('POST', '/v1/albums', { key: 'race-1', body })),
      );
      const created = answers.filter((answer) => answer.status === 201);
      const running = answers.filter((answer) => answer.status === 409);
      expect(created.length + running.length).toBe(answers.length);
      expect(created.filter((answer) => !replayed(answer))).toHaveLength(1);
      for (const answer of running) {
        expect(answer.headers.get('retry-after')).toBe('1');
        await expectProblem(answer, 409, 'conflict');
      }
      const ids = new Set(
        await Promise.all(created.map(async (answer) => ((await answer.json()) as Album).id)),
      );
      expect(ids.size).toBe(1);
      expect(await albumsNamed(username, 'Raced')).toHaveLength(1);
    });

    it('refuses a different request sent with the key in flight with 422, running only the first', async () => {
      const answers = await Promise.all(
        ['Left', 'Right', 'Left', 'Right'].map((name) =>
          send('POST', '/v1/albums', { key: 'race-2', body: { name } }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201 || status === 409).length).toBeGreaterThan(
        0,
      );
      expect(statuses.every((status) => [201, 409, 422].includes(status))).toBe(true);
      expect(statuses).toContain(422);
      const stored = [
        ...(await albumsNamed(username, 'Left')),
        ...(await albumsNamed(username, 'Right')),
      ];
      expect(stored).toHaveLength(1);
    });

    it('answers every retry after the race with the one response', async () => {
      const body = { name: 'Raced again' };
      const racing = await Promise.all(
        Array.from({ length: 6 }, () => send('POST', '/v1/albums', { key: 'race-3', body })),
      );
      const first = racing.find((answer) => answer.status === 201 && !replayed(answer));
      const album = (await first?.json()) as Album;
      const retries = await Promise.all(
        Array.from({ length: 6 }, () => send('POST', '/v1/albums', { key: 'race-3', body })),
      );
      for (const retry of retries) {
        expect([retry.status, replayed(retry)]).toEqual([201, true]);
        expect(((await retry.json()) as Album).id).toBe(album.id);
      }
    });
  });
});
