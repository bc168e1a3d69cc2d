// The tus 1.0 rules a stock client relies on: versions, media types,
// absolute locations, optional metadata, deferred lengths, expiry dates.
import { TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import {
  createUpload,
  headUpload,
  locationOf,
  patchUpload,
  tusRequest,
  uploadMetadata,
} from './tus-protocol.ts';
import { sha256, testPhoto } from './uploads.ts';

describe('tus 1.0 as the protocol text has it', () => {
  let server: TestServer;
  let token: string;
  let seed = 7000;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await registerUser(server.url));
  });
  afterAll(() => server?.destroy());

  const endpoint = () => `${server.url}${TUS_PATH}/`;

  it('answers every method with an unsupported Tus-Resumable with 412 and Tus-Version', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    for (const [target, method] of [
      [endpoint(), 'POST'],
      [endpoint(), 'OPTIONS'],
      [url, 'HEAD'],
      [url, 'PATCH'],
      [url, 'DELETE'],
      [url, 'OPTIONS'],
    ] as const) {
      const answer = await tusRequest(target, method, token, {
        'tus-resumable': '0.2.2',
        'upload-length': '10',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      });
      expect(answer.status, method).toBe(412);
      expect(answer.headers.get('tus-version'), method).toBe('1.0.0');
      expect(answer.headers.get('tus-resumable'), method).toBe('1.0.0');
      if (method !== 'HEAD') await expectProblem(answer, 412, 'precondition_failed');
    }
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 0 });
  });

  it('answers OPTIONS without a version or a token with what it offers', async () => {
    const answer = await fetch(endpoint(), { method: 'OPTIONS' });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('tus-version')).toBe('1.0.0');
    expect(Number(answer.headers.get('tus-max-size'))).toBe(server.config.maxUploadBytes);
  });

  it('refuses a creation-with-upload body of another type with 415, creating nothing', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const answer = await tusRequest(
      endpoint(),
      'POST',
      token,
      { 'upload-length': String(data.length), 'content-type': 'image/jpeg' },
      data,
    );
    await expectProblem(answer, 415, 'unsupported_media_type');
    expect(answer.headers.get('location')).toBeNull();
  });

  it('names every upload by an absolute URL, the public one when configured', async () => {
    const created = await tusRequest(endpoint(), 'POST', token, { 'upload-length': '10' });
    expect(locationOf(created)).toMatch(new RegExp(`^${server.url}${TUS_PATH}/[0-9a-f-]{36}$`));

    const proxied = await startTestServer({ FLICKR_TRUST_PROXY: '127.0.0.1' });
    const publicServer = await startTestServer({ FLICKR_PUBLIC_URL: 'https://photos.example/' });
    try {
      const user = await registerUser(proxied.url);
      const behind = await tusRequest(`${proxied.url}${TUS_PATH}/`, 'POST', user.token, {
        'upload-length': '10',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'pics.example:8443',
      });
      expect(locationOf(behind)).toMatch(/^https:\/\/pics\.example:8443\/v1\/uploads\/files\//);
      // Not trusted: the forwarded headers are ignored.
      const direct = await tusRequest(endpoint(), 'POST', token, {
        'upload-length': '10',
        'x-forwarded-host': 'evil.example',
      });
      expect(locationOf(direct)).toMatch(new RegExp(`^${server.url}/`));
      // It listens where it listens; it tells clients the public URL.
      const address = publicServer.app?.server.address();
      const listening = `http://127.0.0.1:${typeof address === 'object' ? address?.port : ''}`;
      const other = await registerUser(listening);
      const configured = await tusRequest(`${listening}${TUS_PATH}/`, 'POST', other.token, {
        'upload-length': '10',
      });
      expect(locationOf(configured)).toMatch(/^https:\/\/photos\.example\/v1\/uploads\/files\//);
    } finally {
      await proxied.destroy();
      await publicServer.destroy();
    }
  });

  it('takes an upload without any metadata: a name from its id and format, dedup on the bytes', async () => {
    const data = await testPhoto(seed++);
    const create = () =>
      tusRequest(
        endpoint(),
        'POST',
        token,
        { 'upload-length': String(data.length), prefer: 'return=representation' },
        data,
      );
    const first = await create();
    expect(first.status).toBe(201);
    const result = (await first.json()) as UploadResult;
    const id = locationOf(first).split('/').at(-1);
    expect(result.photo).toMatchObject({ originalName: `${id}.jpg`, sha256: sha256(data) });
    expect(await (await create()).json()).toMatchObject({
      duplicate: true,
      photo: { id: result.photo.id },
    });
  });

  it('takes Uppy’s name for the file', async () => {
    const data = await testPhoto(seed++);
    const answer = await tusRequest(
      endpoint(),
      'POST',
      token,
      {
        'upload-length': String(data.length),
        'upload-metadata': uploadMetadata({ name: 'holiday.jpg', type: 'image/jpeg' }),
        prefer: 'return=representation',
      },
      data,
    );
    expect(await answer.json()).toMatchObject({ photo: { originalName: 'holiday.jpg' } });
  });

  it('defers the length until a PATCH declares it (creation-defer-length)', async () => {
    const data = await testPhoto(seed++);
    const created = await tusRequest(endpoint(), 'POST', token, { 'upload-defer-length': '1' });
    expect(created.status).toBe(201);
    const url = locationOf(created);
    const head = await headUpload(url, token);
    expect(head.response.headers.get('upload-defer-length')).toBe('1');
    expect(head.response.headers.get('upload-length')).toBeNull();
    const half = Math.floor(data.length / 2);
    expect((await patchUpload(url, token, 0, data.subarray(0, half))).status).toBe(204);
    // A length below what arrived is refused; the right one completes the upload.
    await expectProblem(
      await patchUpload(url, token, half, data.subarray(half), { 'upload-length': '10' }),
      400,
      'bad_request',
    );
    const done = await patchUpload(url, token, half, data.subarray(half), {
      'upload-length': String(data.length),
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ photo: { sha256: sha256(data) } });
  });

  it('completes an empty upload at once, refusing it as no image, whichever way it is declared', async () => {
    const empty = { 'upload-metadata': uploadMetadata({ filename: 'empty.jpg' }) };
    await expectProblem(
      await tusRequest(endpoint(), 'POST', token, { ...empty, 'upload-length': '0' }),
      422,
      'unsupported_image',
    );
    const deferred = await tusRequest(endpoint(), 'POST', token, {
      ...empty,
      'upload-defer-length': '1',
    });
    const url = locationOf(deferred);
    const declared = await patchUpload(url, token, 0, Buffer.alloc(0), { 'upload-length': '0' });
    await expectProblem(declared, 422, 'unsupported_image');
    // A retry is answered as the first request was.
    const retried = await patchUpload(url, token, 0, Buffer.alloc(0), { 'upload-length': '0' });
    await expectProblem(retried, 422, 'unsupported_image');
    // An empty part is a complete part: nothing to refuse until its final upload.
    const part = await tusRequest(endpoint(), 'POST', token, {
      'upload-length': '0',
      'upload-concat': 'partial',
    });
    expect(part.status).toBe(201);
    expect(await headUpload(locationOf(part), token)).toMatchObject({ status: 200, offset: 0 });
  });

  it('refuses an upload over the size limit, declared now or later', async () => {
    const big = String(server.config.maxUploadBytes + 1);
    await expectProblem(
      await tusRequest(endpoint(), 'POST', token, { 'upload-length': big }),
      413,
      'payload_too_large',
    );
    const deferred = await tusRequest(endpoint(), 'POST', token, { 'upload-defer-length': '1' });
    await expectProblem(
      await patchUpload(locationOf(deferred), token, 0, Buffer.alloc(1), { 'upload-length': big }),
      413,
      'payload_too_large',
    );
  });

  it('refuses a body that runs past the upload’s length, keeping none of it', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    const longer = Buffer.concat([data, Buffer.from('extra')]);
    await expectProblem(await patchUpload(url, token, 0, longer), 413, 'payload_too_large');
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 0 });
  });

  it('says when an unfinished upload expires in an RFC 9110 date, and 409s carry the offset', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    const partial = await patchUpload(url, token, 0, data.subarray(0, 100));
    expect(partial.headers.get('upload-expires')).toMatch(
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    const conflict = await patchUpload(url, token, 50, data.subarray(50));
    await expectProblem(conflict, 409, 'upload_conflict');
    expect(conflict.headers.get('upload-offset')).toBe('100');
  });

  it('answers methods tus has no use for with 405 and Allow', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    const get = await tusRequest(url, 'GET', token);
    await expectProblem(get, 405, 'method_not_allowed');
    expect(get.headers.get('allow')).toBe('OPTIONS, HEAD, PATCH, DELETE');
  });

  it('takes a POST with X-HTTP-Method-Override as the PATCH or DELETE it names', async () => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    const half = Math.floor(data.length / 2);
    const override = (method: string, offset: number, body?: Uint8Array) =>
      tusRequest(
        url,
        'POST',
        token,
        { 'x-http-method-override': method, 'upload-offset': String(offset) },
        body,
      );

    const first = await override('PATCH', 0, data.subarray(0, half));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe(String(half));
    // The rules of a PATCH hold: the offset, and the media type of the bytes.
    await expectProblem(await override('PATCH', 1, data.subarray(1)), 409, 'upload_conflict');
    await expectProblem(
      await tusRequest(
        url,
        'POST',
        token,
        {
          'x-http-method-override': 'PATCH',
          'upload-offset': String(half),
          'content-type': 'application/octet-stream',
        },
        data.subarray(half),
      ),
      415,
      'unsupported_media_type',
    );
    const last = await override('PATCH', half, data.subarray(half));
    expect(last.status).toBe(204);
    expect(last.headers.get('flickr-photo-id')).toMatch(/^[0-9a-f-]{36}$/);

    const other = await createUpload(server.url, token, await testPhoto(seed++, 64, 48));
    const deleted = await tusRequest(other, 'POST', token, { 'x-http-method-override': 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await headUpload(other, token)).status).toBe(404);

    const get = await override('GET', 0);
    await expectProblem(get, 405, 'method_not_allowed');
    expect(get.headers.get('allow')).toBe('OPTIONS, HEAD, PATCH, DELETE');
    const collection = await tusRequest(endpoint(), 'POST', token, {
      'x-http-method-override': 'DELETE',
    });
    await expectProblem(collection, 405, 'method_not_allowed');
    expect(collection.headers.get('allow')).toBe('OPTIONS, POST');
  });

  it('answers a malformed Upload-Metadata or Upload-Offset with 400, naming the header', async () => {
    for (const [headers, name] of [
      [{ 'upload-length': '10', 'upload-metadata': 'filename not-base64!' }, /Upload-Metadata/],
      [{ 'upload-length': '10', 'upload-metadata': 'filename /w==' }, /UTF-8/],
      [{ 'upload-length': '-3' }, /Upload-Length/],
      [{ 'upload-length': '10', 'upload-defer-length': '1' }, /Upload-Length/],
    ] as const) {
      const answer = await tusRequest(endpoint(), 'POST', token, headers);
      expect((await expectProblem(answer, 400, 'bad_request')).detail).toMatch(name);
    }
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    const answer = await patchUpload(url, token, 0, data, { 'upload-offset': 'x' });
    expect((await expectProblem(answer, 400, 'bad_request')).detail).toMatch(/Upload-Offset/);
  });
});
