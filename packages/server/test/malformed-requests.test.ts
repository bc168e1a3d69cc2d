// Requests that fail before any route runs, in Fastify's router, its body
// parsers or Node's HTTP parser: each is answered with a problem document.
import { type ErrorCode, PROBLEM_CONTENT_TYPE, type Problem } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { type RawResponse, rawRequest, sendRaw } from './raw-socket.ts';

/** Asserts a raw answer is a problem document with this status and code. */
function expectRawProblem(answer: RawResponse, status: number, code: ErrorCode): Problem {
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
  expect(answer.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  const problem = JSON.parse(answer.body) as Problem;
  expect(problem).toMatchObject({ status, code, requestId: expect.any(String) });
  expect(answer.headers['x-request-id']).toBe(problem.requestId);
  return problem;
}

describe('requests no route can read', () => {
  let server: TestServer;
  let token: string;
  let username: string;

  const albumNames = async () => {
    const response = await fetch(`${server.url}/v1/users/${username}/albums`);
    return ((await response.json()) as { items: { name: string }[] }).items.map((a) => a.name);
  };
  const postAlbum = (body: string, contentType: string) =>
    rawRequest(server.url, '/v1/albums', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });

  beforeAll(async () => {
    server = await startTestServer();
    ({ token, username } = await registerUser(server.url));
  });
  afterAll(() => server.destroy());

  describe('the router', () => {
    it.each([
      ['a malformed percent-encoding', 400, 'bad_request', '/v1/photos/%E0%A4%A'],
      ['a lone percent sign', 400, 'bad_request', '/v1/users/%/photos'],
      ['percent-encoded bytes that are not UTF-8', 400, 'bad_request', '/v1/photos/%C0%AF'],
      ['an over-long path parameter', 414, 'uri_too_long', `/v1/photos/${'a'.repeat(500)}`],
      ['a URL over 8 KiB', 414, 'uri_too_long', `/v1/limits?padding=${'a'.repeat(9000)}`],
      ['a path no route has', 404, 'not_found', '/v2/photos'],
    ] as const)('answers %s with %i %s', async (_what, status, code, target) => {
      expectRawProblem(await rawRequest(server.url, target), status, code);
    });

    it.each([
      ['PUT', '/v1/albums', 'POST'],
      ['DELETE', '/v1/limits', 'GET, HEAD'],
      ['PROPFIND', '/v1/limits', 'GET, HEAD'],
      ['POST', `/cdn/a/b/c/d.jpg`, 'GET, HEAD'],
    ])(
      'answers %s on a path of other methods with 405 and Allow',
      async (method, target, allow) => {
        const answer = await rawRequest(server.url, target, { method });
        expectRawProblem(answer, 405, 'method_not_allowed');
        expect(answer.headers.allow).toBe(allow);
      },
    );
  });

  describe('the body', () => {
    it.each([
      ['text/plain', '{"name":"Plain"}'],
      [';;;', '{"name":"Garbled"}'],
      ['application/json; charset=iso-8859-1', '{"name":"Latin"}'],
      ['application/json; charset=utf-16', '{"name":"Wide"}'],
    ])('refuses a body sent as %s with 415, creating nothing', async (contentType, body) => {
      expectRawProblem(await postAlbum(body, contentType), 415, 'unsupported_media_type');
    });

    it('refuses JSON whose bytes are not UTF-8 with 400 rather than storing U+FFFD', async () => {
      const latin1 = '{"name":"\xe9t\xe9"}';
      const problem = expectRawProblem(
        await postAlbum(latin1, 'application/json'),
        400,
        'malformed_json',
      );
      expect(problem.detail).toMatch(/UTF-8/);
    });

    it('reads JSON that says charset=utf-8, in any case', async () => {
      const answer = await postAlbum('{"name":"Utf"}', 'application/json; charset=UTF-8');
      expect(answer.status).toBe(201);
    });

    it('refuses a GET that carries a body with 400', async () => {
      for (const headers of [{ 'content-type': 'application/json' }, {}] as Record<
        string,
        string
      >[]) {
        const answer = await rawRequest(server.url, '/v1/limits', { headers, body: '{"a":1}' });
        expectRawProblem(answer, 400, 'bad_request');
      }
    });

    it('created nothing from any refused body', async () => {
      expect(await albumNames()).toEqual(['Utf']);
    });
  });

  describe('the HTTP parser', () => {
    it.each([
      ['a NUL in the request line', 'GET /v1/li\0mits HTTP/1.1\r\nhost: x\r\n\r\n'],
      ['a request line that is not HTTP', 'hello there\r\n\r\n'],
      ['an unknown method', 'BREW /v1/limits HTTP/1.1\r\nhost: x\r\n\r\n'],
      [
        'a Content-Length that is no number',
        'POST /v1/albums HTTP/1.1\r\nhost: x\r\ncontent-length: ten\r\n\r\n',
      ],
      ['a header line without a colon', 'GET /v1/limits HTTP/1.1\r\nhost: x\r\nnonsense\r\n\r\n'],
    ])('answers %s with 400 bad_request', async (_what, request) => {
      expectRawProblem(
        await sendRaw(server.url, Buffer.from(request, 'latin1')),
        400,
        'bad_request',
      );
    });

    it('answers headers over 64 KiB with 431, to a raw client and to fetch', async () => {
      const big = 'a'.repeat(70 * 1024);
      expectRawProblem(
        await rawRequest(server.url, '/v1/limits', { headers: { 'x-big': big } }),
        431,
        'headers_too_large',
      );
      expectRawProblem(
        await rawRequest(server.url, `/v1/limits?padding=${big}`),
        431,
        'headers_too_large',
      );
      const fetched = await fetch(`${server.url}/v1/limits`, { headers: { 'x-big': big } });
      await expectProblem(fetched, 431, 'headers_too_large');
    });

    it('stays up and answers the next request', async () => {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    });
  });
});
