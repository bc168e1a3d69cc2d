import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError } from '../src/errors.ts';
import { BASE, ID, photoFixture, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ORIGINAL = Buffer.from('the bytes of a photograph, not really a JPEG');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sdk-download-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const reprDigest = (data: Buffer) =>
  `sha-256=:${createHash('sha256').update(data).digest('base64')}:`;
/** The original with its "GPS" blanked in place: same length, other bytes. */
const COPY = Buffer.from(ORIGINAL.toString().replace('photograph', '          '));

/**
 * The photo's metadata, and a CDN serving `body` (honouring Range unless told
 * not to), with `digest` as its Repr-Digest when given (one per request, in turn).
 */
function serve(
  body: Buffer | (() => Buffer),
  options: { ranges?: boolean; ranged?: string[]; digest?: () => string } = {},
) {
  server.use(
    http.get(`${BASE}/v1/photos/${ID}`, () =>
      HttpResponse.json(photoFixture({ bytes: ORIGINAL.length, sha256: sha256(ORIGINAL) })),
    ),
    http.get(`${BASE}/cdn/original`, ({ request }) => {
      const range = request.headers.get('range');
      if (range) options.ranged?.push(range);
      const file = typeof body === 'function' ? body() : body;
      const digest = options.digest?.();
      const headers = digest ? { 'repr-digest': digest } : undefined;
      const start = Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? Number.NaN);
      if (options.ranges === false || Number.isNaN(start))
        return new HttpResponse(file, { headers });
      return new HttpResponse(file.subarray(start), {
        status: 206,
        headers: {
          ...headers,
          'content-range': `bytes ${start}-${file.length - 1}/${file.length}`,
        },
      });
    }),
  );
}

describe('photos.download', () => {
  it('resumes a partial file with a Range request, transferring only the rest', async () => {
    const ranged: string[] = [];
    serve(ORIGINAL, { ranged });
    const to = join(dir, 'photo.jpg');
    await writeFile(`${to}.partial`, ORIGINAL.subarray(0, 10));
    const result = await testClient().photos.download(ID, { to });
    expect(ranged).toEqual(['bytes=10-']);
    expect(result).toMatchObject({ skipped: false, transferred: ORIGINAL.length - 10 });
    expect(await readFile(to)).toEqual(ORIGINAL);
    expect(existsSync(`${to}.partial`)).toBe(false);
  });

  it('starts over when the server ignores the Range', async () => {
    serve(ORIGINAL, { ranges: false });
    const to = join(dir, 'photo.jpg');
    await writeFile(`${to}.partial`, ORIGINAL.subarray(0, 10));
    const result = await testClient().photos.download(ID, { to });
    expect(result.transferred).toBe(ORIGINAL.length);
    expect(await readFile(to)).toEqual(ORIGINAL);
  });

  it('writes to a .partial file and renames it into place only when complete', async () => {
    serve(ORIGINAL);
    const to = join(dir, 'photo.jpg');
    const during: { final: boolean; partial: boolean }[] = [];
    await testClient().photos.download(ID, {
      to,
      onProgress: () =>
        during.push({ final: existsSync(to), partial: existsSync(`${to}.partial`) }),
    });
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((state) => !state.final && state.partial)).toBe(true);
    expect(await readdir(dir)).toEqual(['photo.jpg']);
  });

  it.each([
    ['size', Buffer.concat([ORIGINAL, Buffer.from('!')])],
    ['SHA-256', Buffer.from(ORIGINAL.toString().replace('bytes', 'BYTES'))],
  ])('raises IntegrityError on a %s mismatch and leaves no file behind', async (_what, body) => {
    serve(body);
    const to = join(dir, 'photo.jpg');
    const error = await testClient()
      .photos.download(ID, { to })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(await readdir(dir)).toEqual([]);
  });

  describe('of a copy without GPS, named by Repr-Digest', () => {
    it('verifies the copy against the digest the server sends, not the photo’s', async () => {
      serve(COPY, { digest: () => reprDigest(COPY) });
      const to = join(dir, 'photo.jpg');
      await testClient().photos.download(ID, { to });
      expect(await readFile(to)).toEqual(COPY);
    });

    it('still refuses bytes that match neither', async () => {
      serve(COPY, { digest: () => reprDigest(ORIGINAL) });
      const to = join(dir, 'photo.jpg');
      const error = await testClient()
        .photos.download(ID, { to })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect(await readdir(dir)).toEqual([]);
    });

    it('resumes a copy it started, verified whole', async () => {
      const ranged: string[] = [];
      serve(COPY, { ranged, digest: () => reprDigest(COPY) });
      const to = join(dir, 'photo.jpg');
      await writeFile(`${to}.partial`, COPY.subarray(0, 10));
      const result = await testClient().photos.download(ID, { to });
      expect(result.transferred).toBe(COPY.length - 10);
      expect(await readFile(to)).toEqual(COPY);
    });

    it('starts over when a resumed request is answered from the other file', async () => {
      // The partial file holds the original's first bytes; the owner then hid the location.
      const ranged: string[] = [];
      serve(COPY, { ranged, digest: () => reprDigest(COPY) });
      const to = join(dir, 'photo.jpg');
      await writeFile(`${to}.partial`, ORIGINAL.subarray(0, 30));
      const result = await testClient().photos.download(ID, { to });
      // It cannot tell until the whole is there: the rest, then the copy afresh.
      expect(ranged).toEqual(['bytes=30-']);
      expect(result.transferred).toBe(COPY.length - 30 + COPY.length);
      expect(await readFile(to)).toEqual(COPY);
    });
  });
});
