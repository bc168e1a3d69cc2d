import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';

describe('Idempotency-Key', () => {
  let server: TestServer;
  let token: string;

  const createToken = (key: string | undefined, name = 'ci') =>
    fetch(`${server.url}/v1/tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify({ name, scopes: ['read'] }),
    });
  const tokenNames = async () => {
    const response = await fetch(`${server.url}/v1/tokens`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { items: { name: string }[] }).items.map(
      (item) => item.name,
    );
  };

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await registerUser(server.url));
  });
  afterAll(() => server.destroy());

  it('replays the first response to a retry with the same key, creating nothing twice', async () => {
    const first = await createToken('retry-1');
    const second = await createToken('retry-1');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect((await tokenNames()).filter((name) => name === 'ci')).toHaveLength(1);
  });

  it('refuses the same key on a different request', async () => {
    await createToken('reuse-1');
    const other = await fetch(`${server.url}/v1/albums`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': 'reuse-1',
      },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ code: 'conflict' });
  });

  it('keeps keys per user and leaves requests without a key alone', async () => {
    const other = await registerUser(server.url);
    const mine = await createToken('shared-key', 'mine');
    const theirs = await fetch(`${server.url}/v1/tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${other.token}`,
        'content-type': 'application/json',
        'idempotency-key': 'shared-key',
      },
      body: JSON.stringify({ name: 'mine', scopes: ['read'] }),
    });
    expect(theirs.status).toBe(201);
    expect(((await theirs.json()) as { token: string }).token).not.toBe(
      ((await mine.json()) as { token: string }).token,
    );
    await createToken(undefined, 'plain');
    await createToken(undefined, 'plain');
    expect((await tokenNames()).filter((name) => name === 'plain')).toHaveLength(2);
  });
});
