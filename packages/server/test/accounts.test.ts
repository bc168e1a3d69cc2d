import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

interface Call {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

function client(server: TestServer) {
  return async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Call> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: response.headers,
    };
  };
}

const credentials = (username: string) => ({ username, password: 'a long passphrase' });

/** A token is `fk_<36-character id>_<secret>`. */
const secretOf = (token: unknown) => String(token).slice('fk_'.length + 36 + 1);

describe('accounts and tokens', () => {
  let server: TestServer;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '100' });
    call = client(server);
  });
  afterAll(() => server.destroy());

  it('registers a user and signs them in with a session token holding every non-admin scope', async () => {
    const registered = await call('POST', '/v1/auth/register', { body: credentials('ada') });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      user: { username: 'ada', isAdmin: false },
      token: expect.stringMatching(/^fk_/),
    });
    const me = await call('GET', '/v1/me', { token: registered.body.token as string });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { username: 'ada' },
      token: { kind: 'session', scopes: ['read', 'write', 'delete'] },
    });
  });

  it('refuses a taken username and keeps the first account', async () => {
    await call('POST', '/v1/auth/register', { body: credentials('grace') });
    const again = await call('POST', '/v1/auth/register', {
      body: { username: 'grace', password: 'another long one' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'username_taken' });
    expect((await call('POST', '/v1/auth/login', { body: credentials('grace') })).status).toBe(200);
  });

  it('stores passwords with scrypt and tokens only as hashes', async () => {
    const { body } = await call('POST', '/v1/auth/register', { body: credentials('hedy') });
    const user = await server.services.store.users.byUsername('hedy');
    expect(user?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(user?.passwordHash).not.toContain('a long passphrase');
    const [token] = await server.services.store.tokens.listForUser(user?.id ?? '');
    const secret = secretOf(body.token);
    expect(token?.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token?.secretHash).not.toContain(secret);
  });

  it('answers a wrong password and an unknown user alike', async () => {
    await call('POST', '/v1/auth/register', { body: credentials('alan') });
    const wrong = await call('POST', '/v1/auth/login', {
      body: { username: 'alan', password: 'not the passphrase' },
    });
    const unknown = await call('POST', '/v1/auth/login', { body: credentials('nobody') });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('creates API tokens with scopes, lists them without secrets, and revokes them', async () => {
    const { body: session } = await call('POST', '/v1/auth/register', {
      body: credentials('linus'),
    });
    const sessionToken = session.token as string;
    const created = await call('POST', '/v1/tokens', {
      token: sessionToken,
      body: { name: 'ci', scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    const apiToken = created.body.token as string;
    expect(created.body.info).toMatchObject({
      name: 'ci',
      kind: 'api',
      scopes: ['read'],
      expiresAt: null,
    });

    const listed = await call('GET', '/v1/tokens', { token: sessionToken });
    expect((listed.body.items as { name: string }[]).map((t) => t.name)).toEqual(['session', 'ci']);
    expect(JSON.stringify(listed.body)).not.toContain(secretOf(apiToken));

    // A read-only token can read but not upload.
    expect(
      (
        await call('POST', '/v1/uploads/check', {
          token: apiToken,
          body: { sha256: ['a'.repeat(64)] },
        })
      ).status,
    ).toBe(200);
    const upload = await fetch(`${server.url}/v1/uploads/files/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiToken}`,
        'tus-resumable': '1.0.0',
        'upload-length': '10',
      },
    });
    expect(upload.status).toBe(403);
    expect(await upload.json()).toMatchObject({ code: 'insufficient_scope' });

    const id = (created.body.info as { id: string }).id;
    expect((await call('DELETE', `/v1/tokens/${id}`, { token: sessionToken })).status).toBe(204);
    const revoked = await call('GET', '/v1/me', { token: apiToken });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ code: 'unauthenticated' });
  });

  it('never lets a token grant scopes it lacks, nor revoke another user’s token', async () => {
    const { body: a } = await call('POST', '/v1/auth/register', { body: credentials('barbara') });
    const { body: b } = await call('POST', '/v1/auth/register', { body: credentials('margaret') });
    const readOnly = await call('POST', '/v1/tokens', {
      token: a.token as string,
      body: { name: 'r', scopes: ['read'] },
    });
    const escalate = await call('POST', '/v1/tokens', {
      token: readOnly.body.token as string,
      body: { name: 'w', scopes: ['write'] },
    });
    expect(escalate.status).toBe(403);
    expect(escalate.body.code).toBe('insufficient_scope');
    const admin = await call('POST', '/v1/tokens', {
      token: a.token as string,
      body: { name: 'x', scopes: ['admin'] },
    });
    expect(admin.status).toBe(403);
    const theirs = (readOnly.body.info as { id: string }).id;
    expect(
      (await call('DELETE', `/v1/tokens/${theirs}`, { token: b.token as string })).status,
    ).toBe(404);
    expect((await call('GET', '/v1/me', { token: readOnly.body.token as string })).status).toBe(
      200,
    );
  });

  it('signs out by revoking the token in use', async () => {
    const { body } = await call('POST', '/v1/auth/register', { body: credentials('katherine') });
    expect((await call('POST', '/v1/auth/logout', { token: body.token as string })).status).toBe(
      204,
    );
    expect((await call('GET', '/v1/me', { token: body.token as string })).status).toBe(401);
  });

  it('refuses a malformed or unknown bearer token, even on public routes', async () => {
    for (const token of [
      'garbage',
      `fk_${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}_${'A'.repeat(43)}`,
    ]) {
      const response = await call('GET', '/v1/limits', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await call('GET', '/v1/me')).status).toBe(401);
  });
});

describe('login rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '3' });
  });
  afterAll(() => server.destroy());

  it('rate-limits login attempts per client address with a problem and Retry-After', async () => {
    const answers: Call[] = [];
    for (let i = 0; i < 7; i++)
      answers.push(
        await client(server)('POST', '/v1/auth/login', { body: credentials('nobody-at-all') }),
      );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.body).toMatchObject({ code: 'rate_limited', requestId: expect.any(String) });
    expect(Number(limited[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('closed registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ FLICKR_REGISTRATION: 'closed' });
  });
  afterAll(() => server.destroy());

  it('refuses registration but lets users an administrator created sign in', async () => {
    const call = client(server);
    const refused = await call('POST', '/v1/auth/register', { body: credentials('eve') });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('registration_closed');
    await server.services.accounts.createUser('eve', 'a long passphrase', { isAdmin: false });
    expect((await call('POST', '/v1/auth/login', { body: credentials('eve') })).status).toBe(200);
    expect((await call('GET', '/v1/limits')).body.registration).toBe('closed');
  });
});
