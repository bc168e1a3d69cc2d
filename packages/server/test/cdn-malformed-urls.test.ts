// The CDN tier against malformed URLs and headers: its hot path ahead of
// Fastify and its route behind it. Whatever the URL, the answer is a 4xx
// problem document (or, for a valid URL with a garbled Range, the file),
// never a 500, and the server stays up.
import { type Photo, PROBLEM_CONTENT_TYPE } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyPhoto } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { type RawResponse, rawRequest } from './raw-socket.ts';

/** A signed URL's parts: the key's path and its three query parameters. */
interface Signed {
  path: string;
  v: string;
  e: string;
  s: string;
}

function partsOf(url: string): Signed {
  const parsed = new URL(url, 'http://cdn.test');
  const param = (name: string) => parsed.searchParams.get(name) ?? '';
  return { path: parsed.pathname, v: param('v'), e: param('e'), s: param('s') };
}

/** Every way this test breaks a signed URL, as the request target sent for it. */
function malformedTargets({ path, v, e, s }: Signed): [string, string][] {
  const query = `v=${encodeURIComponent(v)}&e=${e}&s=${s}`;
  const [, , user, album, resolution, file] = path.split('/');
  return [
    ['a malformed percent-encoding in the key', `${path}%E0%A4%A?${query}`],
    ['a lone percent sign', `/cdn/${user}/${album}/%/${file}?${query}`],
    ['a percent sign encoded twice', `/cdn/${user}/${album}/%2525zz/${file}?${query}`],
    ['an encoded percent sign', `/cdn/${user}/${album}/%25/${file}?${query}`],
    ['an encoded NUL', `/cdn/${user}/${album}/${resolution}/%00${file}?${query}`],
    ['bytes that are not UTF-8', `/cdn/${user}/${album}/%C0%AF/${file}?${query}`],
    ['dot-dot segments', `/cdn/${user}/../../../etc/passwd?${query}`],
    ['encoded dot-dot segments', `/cdn/${user}/%2e%2e/%2e%2e/${file}?${query}`],
    ['a backslash', `/cdn/${user}/${album}/${resolution}%5C${file}?${query}`],
    [
      'an over-long file name',
      `/cdn/${user}/${album}/${resolution}/${'a'.repeat(5000)}.jpg?${query}`,
    ],
    ['an over-long URL', `${path}?${query}&pad=${'x'.repeat(10_000)}`],
    ['a key with nothing in it', `/cdn/?${query}`],
    ['the bare prefix', `/cdn?${query}`],
    ['a trailing slash', `${path}/?${query}`],
    ['an upper-case key', `${path.toUpperCase().replace('/CDN/', '/cdn/')}?${query}`],
    ['no query at all', path],
    ['an empty query', `${path}?`],
    ['no signature', `${path}?v=${encodeURIComponent(v)}&e=${e}`],
    ['no expiry', `${path}?v=${encodeURIComponent(v)}&s=${s}`],
    ['no viewer', `${path}?e=${e}&s=${s}`],
    ['a garbled signature', `${path}?v=${encodeURIComponent(v)}&e=${e}&s=!!not*base64!!`],
    ['a signature of the wrong length', `${path}?v=${encodeURIComponent(v)}&e=${e}&s=${s}AAAA`],
    ['another signature', `${path}?v=${encodeURIComponent(v)}&e=${e}&s=${'A'.repeat(s.length)}`],
    ['an expiry that is not a number', `${path}?v=${encodeURIComponent(v)}&e=soon&s=${s}`],
    ['a negative expiry', `${path}?v=${encodeURIComponent(v)}&e=-1&s=${s}`],
    ['an expiry in exponent form', `${path}?v=${encodeURIComponent(v)}&e=1e12&s=${s}`],
    ['a huge expiry', `${path}?v=${encodeURIComponent(v)}&e=${'9'.repeat(40)}&s=${s}`],
    ['an expiry in the past', `${path}?v=${encodeURIComponent(v)}&e=60&s=${s}`],
    ['another viewer', `${path}?v=00000000-0000-7000-8000-000000000000&e=${e}&s=${s}`],
    ['a repeated viewer', `${path}?v=x&${query}`],
    ['a repeated expiry', `${path}?e=1&${query}`],
    ['a repeated signature', `${path}?s=${'A'.repeat(s.length)}&${query}`],
    ['parameters as arrays', `${path}?v[]=${encodeURIComponent(v)}&e[]=${e}&s[]=${s}`],
    ['parameters as objects', `${path}?v[a]=1&e[b]=2&s[c]=3`],
    ['a malformed percent-encoding in the query', `${path}?v=%E0%A4%A&e=${e}&s=${s}`],
    ['a NUL in the query', `${path}?v=%00&e=${e}&s=${s}`],
  ];
}

/** Valid URLs with parameters nobody signed: the file, as for the plain URL. */
function extendedTargets({ path, v, e, s }: Signed): [string, string][] {
  const query = `v=${encodeURIComponent(v)}&e=${e}&s=${s}`;
  return [
    ['prototype keys in the query', `${path}?__proto__=x&constructor=y&${query}`],
    ['a thousand more parameters', `${path}?${query}${'&p=1'.repeat(1000)}`],
  ];
}

/** A 4xx problem document; a HEAD answer has no body, so its status and type say it all. */
function isClientProblem(answer: RawResponse, method: string): boolean {
  if (answer.status < 400 || answer.status >= 500) return false;
  if (!answer.headers['content-type']?.includes(PROBLEM_CONTENT_TYPE)) return false;
  if (method === 'HEAD') return true;
  try {
    return (JSON.parse(answer.body) as { status?: unknown }).status === answer.status;
  } catch {
    return false;
  }
}

/** Asserts a 4xx problem document. */
function expectClientProblem(what: string, answer: RawResponse): void {
  expect(
    answer.status,
    `${what}: ${answer.status} ${answer.body.slice(0, 200)}`,
  ).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${what}: ${answer.body.slice(0, 200)}`).toBeLessThan(500);
  expect(answer.headers['content-type'], what).toContain(PROBLEM_CONTENT_TYPE);
  expect(JSON.parse(answer.body), what).toMatchObject({
    status: answer.status,
    requestId: expect.any(String),
  });
}

describe('the CDN tier on malformed URLs', () => {
  let server: TestServer;
  let photo: Photo;
  let thumbnail: Signed;
  let original: Signed;

  beforeAll(async () => {
    server = await startTestServer();
    const owner = await registerUser(server.url);
    photo = await readyPhoto(server.url, owner, 7, { visibility: 'public' });
    thumbnail = partsOf(photo.renditions.find((r) => r.name === 'thumbnail')?.url ?? '');
    original = partsOf(photo.originalUrl ?? '');
    // The thumbnail's bytes in memory, so its valid URL is answered by the hot path.
    const warm = await fetch(new URL(photo.renditions[0]?.url ?? '', server.url));
    expect(warm.status).toBe(200);
  });
  afterAll(() => server.destroy());

  it.each([
    ['thumbnail', () => thumbnail],
    ['original', () => original],
  ])(
    'answers every malformed URL of a %s with a 4xx problem, GET or HEAD',
    async (_which, signed) => {
      const offenders: string[] = [];
      for (const [what, target] of malformedTargets(signed()))
        for (const method of ['GET', 'HEAD']) {
          const answer = await rawRequest(server.url, target, { method });
          if (!isClientProblem(answer, method))
            offenders.push(`${method} ${what}: ${answer.status} ${answer.body.slice(0, 120)}`);
        }
      expect(offenders).toEqual([]);
    },
  );

  it.each([
    ['thumbnail', () => thumbnail],
    ['original', () => original],
  ])('serves a %s whose valid URL carries more parameters', async (_which, signed) => {
    for (const [what, target] of extendedTargets(signed()))
      expect((await rawRequest(server.url, target)).status, what).toBe(200);
  });

  it.each([
    'bytes=abc',
    'bytes=5-2',
    'bytes=-0',
    'bytes=--1',
    'bytes=0-0,1-1',
    'bytes=0-1e3',
    `bytes=${'9'.repeat(40)}-`,
    `bytes=0-${'9'.repeat(40)}`,
    `bytes=-${'9'.repeat(40)}`,
    'items=0-1',
    ' bytes = 0 - 1 ',
    'bytes=\u00ff-1',
    'bytes=0-1'.repeat(500),
  ])(
    'answers a valid URL with Range %j by the file, a part of it, or a 416 problem',
    async (range) => {
      for (const signed of [thumbnail, original]) {
        const target = `${signed.path}?v=${encodeURIComponent(signed.v)}&e=${signed.e}&s=${signed.s}`;
        const answer = await rawRequest(server.url, target, { headers: { range } });
        expect(
          [200, 206, 416],
          `${range}: ${answer.status} ${answer.body.slice(0, 200)}`,
        ).toContain(answer.status);
        if (answer.status === 416) expectClientProblem(range, answer);
      }
    },
  );

  it('answers garbled conditional headers by the file', async () => {
    const target = `${thumbnail.path}?v=${encodeURIComponent(thumbnail.v)}&e=${thumbnail.e}&s=${thumbnail.s}`;
    for (const value of ['"', '*', 'W/', '\u00ff\u00fe', '"a",,,"b"'.repeat(300)]) {
      const answer = await rawRequest(server.url, target, { headers: { 'if-none-match': value } });
      expect([200, 304], value).toContain(answer.status);
    }
  });

  it('still serves the photo’s files afterwards', async () => {
    for (const rendition of photo.renditions)
      expect((await fetch(new URL(rendition.url, server.url))).status).toBe(200);
    expect((await fetch(new URL(photo.originalUrl ?? '', server.url))).status).toBe(200);
  });
});
