import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Photo, PROBLEM_CONTENT_TYPE, type UploadResult } from '@flickr-kit/sdk/contract';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noisePng } from './generated-images.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import {
  finishUpload,
  MemoryUrlStorage,
  sessionOptions,
  uploadUntilPaused,
} from './tus-client-sessions.ts';
import { headUpload, patchUpload } from './tus-protocol.ts';
import { sha256 } from './uploads.ts';

const MiB = 2 ** 20;

describe('resumable uploads with tus-js-client', () => {
  let server: TestServer;
  let token: string;
  /** About 9 MiB of noise: nine or ten chunks of 1 MiB. */
  let big: Buffer;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await registerUser(server.url));
    big = await noisePng(1800, 1750);
  });
  afterAll(() => server?.destroy());

  const uploadIdOf = (url: string) => url.split('/').at(-1) as string;
  const stagedBytes = async (url: string) =>
    (await stat(join(server.dataDir, 'uploads', uploadIdOf(url)))).size;

  async function readyPhoto(id: string): Promise<Photo> {
    return eventually(
      async () => {
        const response = await fetch(`${server.url}/v1/photos/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const photo = (await response.json()) as Photo;
        return photo.status === 'ready' ? photo : undefined;
      },
      20_000,
      'photo ready',
    );
  }

  it('resumes from the last byte the server holds after the server restarts', async () => {
    const journal = new MemoryUrlStorage();
    const options = { ...sessionOptions(server.url, token, big), chunkSize: MiB };
    const first = await uploadUntilPaused(big, { ...options, urlStorage: journal }, { chunks: 3 });
    const held = await headUpload(first.url, token);
    expect(held).toMatchObject({ status: 200, offset: 3 * MiB, length: big.length });
    expect(held.response.headers.get('cache-control')).toBe('no-store');
    expect(await stagedBytes(first.url)).toBe(3 * MiB);

    server = await server.restart();
    expect(await headUpload(first.url, token)).toMatchObject({ status: 200, offset: 3 * MiB });

    // A new client session finds the upload in its journal and asks where to go on.
    const second = await finishUpload(big, { ...options, urlStorage: journal }, async (upload) => {
      const previous = await upload.findPreviousUploads();
      expect(previous.map((p) => p.uploadUrl)).toEqual([first.url]);
      upload.resumeFromPreviousUpload(previous[0] as (typeof previous)[number]);
    });
    expect(second.requests[0]).toEqual({ method: 'HEAD', offset: undefined });
    expect(second.requests.map((r) => r.method)).not.toContain('POST');
    expect(second.requests[1]).toEqual({ method: 'PATCH', offset: 3 * MiB });
    expect(second.bytesSent).toBe(big.length - 3 * MiB);

    expect(second.status).toBe(200);
    const result = JSON.parse(second.body) as UploadResult;
    expect(result).toMatchObject({
      duplicate: false,
      photo: { status: 'processing', sha256: sha256(big), bytes: big.length, format: 'png' },
    });
    const photo = await readyPhoto(result.photo.id);
    expect(photo).toMatchObject({ width: 1800, height: 1750 });
    expect(photo.renditions.map((r) => r.name)).toEqual(['thumbnail']);
  });

  it('pauses mid-chunk and resumes by URL from whatever the server kept of that chunk', async () => {
    const data = await noisePng(1200, 1000);
    const options = { ...sessionOptions(server.url, token, data), chunkSize: MiB };
    // Progress is first reported a few kilobytes into a chunk: the pause cuts the second one short.
    const first = await uploadUntilPaused(data, options, { bytesSent: MiB + 1 });
    expect(first.bytesSent).toBeLessThan(2 * MiB);

    const held = await headUpload(first.url, token);
    expect(held.status).toBe(200);
    expect(held.offset).toBeGreaterThanOrEqual(MiB);
    expect(held.offset).toBeLessThanOrEqual(first.bytesSent);
    expect(await stagedBytes(first.url)).toBe(held.offset);

    const second = await finishUpload(data, { ...options, uploadUrl: first.url });
    expect(second.requests.slice(0, 2)).toEqual([
      { method: 'HEAD', offset: undefined },
      { method: 'PATCH', offset: held.offset },
    ]);
    expect(second.bytesSent).toBe(data.length - held.offset);
    expect(second.status).toBe(200);
    // The pivot checked the declared hash: the bytes it holds are the file, whole and in order.
    const result = JSON.parse(second.body) as UploadResult;
    expect(result.photo.sha256).toBe(sha256(data));
    await readyPhoto(result.photo.id);
  });

  it('terminates an upload: DELETE removes its bytes and state, and then it is 404', async () => {
    const data = await noisePng(200, 200);
    const options = { ...sessionOptions(server.url, token, data), chunkSize: 32 * 1024 };
    const { url } = await uploadUntilPaused(data, options, { chunks: 1 }, true);

    const head = await headUpload(url, token);
    expect(head.status).toBe(404);
    expect(head.response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    await expectProblem(
      await patchUpload(url, token, 32 * 1024, data.subarray(32 * 1024)),
      404,
      'not_found',
    );
    await expect(stagedBytes(url)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await server.services.store.uploads.byId(uploadIdOf(url))).toBeUndefined();
  });

  it("answers 404 to another user's HEAD, PATCH and DELETE of an upload, changing nothing", async () => {
    const data = await noisePng(200, 200);
    const options = { ...sessionOptions(server.url, token, data), chunkSize: 32 * 1024 };
    const { url } = await uploadUntilPaused(data, options, { chunks: 1 });
    const other = await registerUser(server.url);

    const head = await headUpload(url, other.token);
    expect(head.status).toBe(404);
    expect(head.response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    await expectProblem(
      await patchUpload(url, other.token, 32 * 1024, data.subarray(32 * 1024)),
      404,
      'not_found',
    );
    await expectProblem(
      await fetch(url, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${other.token}`, 'tus-resumable': '1.0.0' },
      }),
      404,
      'not_found',
    );

    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 32 * 1024 });
    const rest = await finishUpload(data, { ...options, uploadUrl: url });
    expect(rest.status).toBe(200);
    expect((JSON.parse(rest.body) as UploadResult).photo.sha256).toBe(sha256(data));
  });

  it('refuses an upload without a token with 401 and a problem document', async () => {
    const data = await noisePng(200, 200);
    const { headers: _withoutToken, ...tokenless } = sessionOptions(server.url, token, data);
    const error = await finishUpload(data, tokenless).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(tus.DetailedError);
    const response = (error as tus.DetailedError).originalResponse;
    expect(response?.getStatus()).toBe(401);
    expect(response?.getHeader('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(JSON.parse(response?.getBody() ?? '{}')).toMatchObject({
      code: 'unauthenticated',
      requestId: expect.any(String),
    });

    // Nor may anyone without a token touch an upload that exists.
    const options = { ...sessionOptions(server.url, token, data), chunkSize: 32 * 1024 };
    const { url } = await uploadUntilPaused(data, options, { chunks: 1 });
    const anonymous = (method: string, body?: Uint8Array) =>
      fetch(url, {
        method,
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': String(32 * 1024),
          'content-type': 'application/offset+octet-stream',
        },
        ...(body ? { body } : {}),
      });
    expect((await anonymous('HEAD')).status).toBe(401);
    await expectProblem(await anonymous('PATCH', data.subarray(32 * 1024)), 401, 'unauthenticated');
    await expectProblem(await anonymous('DELETE'), 401, 'unauthenticated');
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 32 * 1024 });
  });
});
