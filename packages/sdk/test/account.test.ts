// The account resource against a fake server: deleting sends the password
// once and types its refusals; exporting validates the document, or streams
// its text unparsed.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_EXPORT_FORMAT, type AccountExport } from '../src/contract/account-export.ts';
import {
  AuthenticationError,
  PermissionDeniedError,
  ResponseValidationError,
} from '../src/errors.ts';
import { BASE, CREATED, ID, OTHER_ID, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const exported: AccountExport = {
  format: ACCOUNT_EXPORT_FORMAT,
  exportedAt: CREATED,
  profile: { id: ID, username: 'ada', createdAt: CREATED, visibility: 'public' },
  settings: { commentsEnabledByDefault: true },
  albums: [],
  sharesGranted: [],
  sharesReceived: [],
  photos: [],
  comments: [{ id: OTHER_ID, photoId: ID, text: 'hi', createdAt: CREATED, editedAt: null }],
  favorites: [{ photoId: ID, favoritedAt: CREATED }],
  followers: [],
  following: [{ user: { id: OTHER_ID, username: 'bobby' }, since: CREATED }],
};

describe('client.account', () => {
  it('deletes with the password in the body, under an idempotency key, and returns nothing', async () => {
    const sent: { body: unknown; key: string | null }[] = [];
    server.use(
      http.delete(`${BASE}/v1/me`, async ({ request }) => {
        sent.push({ body: await request.json(), key: request.headers.get('idempotency-key') });
        return new HttpResponse(null, { status: 204 });
      }),
    );
    expect(await testClient().account.delete({ password: 'a long passphrase' })).toBeUndefined();
    expect(sent).toEqual([{ body: { password: 'a long passphrase' }, key: expect.any(String) }]);
  });

  it('throws typed errors for a wrong password and for a token without the delete scope', async () => {
    server.use(
      http.delete(`${BASE}/v1/me`, async ({ request }) => {
        const { password } = (await request.json()) as { password: string };
        return password === 'wrong'
          ? problem(401, 'invalid_credentials', 'Wrong password: nothing was deleted')
          : problem(403, 'insufficient_scope', 'This needs a token with the "delete" scope');
      }),
    );
    const client = testClient();
    const wrong = await client.account.delete({ password: 'wrong' }).catch((error) => error);
    expect(wrong).toBeInstanceOf(AuthenticationError);
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' });
    const unscoped = await client.account.delete({ password: 'right' }).catch((error) => error);
    expect(unscoped).toBeInstanceOf(PermissionDeniedError);
    expect(unscoped).toMatchObject({ code: 'insufficient_scope' });
  });

  it('exports a document validated against the contract', async () => {
    server.use(http.get(`${BASE}/v1/me/export`, () => HttpResponse.json(exported)));
    expect(await testClient().account.export()).toEqual(exported);
  });

  it('refuses an export of another format version instead of returning it', async () => {
    server.use(
      http.get(`${BASE}/v1/me/export`, () =>
        HttpResponse.json({ ...exported, format: 'flickr-kit-export/2' }),
      ),
    );
    await expect(testClient().account.export()).rejects.toBeInstanceOf(ResponseValidationError);
  });

  it('streams the export’s text as the server sends it, chunk by chunk', async () => {
    const text = JSON.stringify(exported);
    const chunks = [text.slice(0, 40), text.slice(40)];
    server.use(
      http.get(`${BASE}/v1/me/export`, () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
            controller.close();
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'application/json' } });
      }),
    );
    let received = '';
    for await (const chunk of await testClient().account.exportStream())
      received += new TextDecoder().decode(chunk);
    expect(JSON.parse(received)).toEqual(exported);
  });
});
