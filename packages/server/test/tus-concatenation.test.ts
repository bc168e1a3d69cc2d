// tus concatenation extension: partial uploads sent in parallel, then a
// final upload that names them and goes through the same pivot.
import { TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { headUpload, locationOf, patchUpload, tusRequest, uploadMetadata } from './tus-protocol.ts';
import { sha256, testPhoto } from './uploads.ts';

describe('tus concatenation extension', () => {
  let server: TestServer;
  let seed = 6000;

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_UPLOADS_PER_USER: '4' });
  });
  afterAll(() => server?.destroy());

  const endpoint = () => `${server.url}${TUS_PATH}/`;

  /** Creates a partial upload and sends it all. */
  async function partial(token: string, bytes: Buffer, send = true): Promise<string> {
    const created = await tusRequest(endpoint(), 'POST', token, {
      'upload-length': String(bytes.length),
      'upload-concat': 'partial',
    });
    expect(created.status).toBe(201);
    const url = locationOf(created);
    if (send) expect((await patchUpload(url, token, 0, bytes)).status).toBe(204);
    return url;
  }

  const final = (token: string, parts: string[], metadata: Record<string, string> = {}) =>
    tusRequest(endpoint(), 'POST', token, {
      'upload-concat': `final;${parts.join(' ')}`,
      'upload-metadata': uploadMetadata(metadata),
      prefer: 'return=representation',
    });

  it('makes one photo of parts sent at once, and answers a retried final request alike', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++, 1200, 900);
    const cut = [0, 0.3, 0.6, 1].map((f) => Math.floor(data.length * f));
    const parts = await Promise.all(
      cut.slice(1).map((end, i) => partial(token, data.subarray(cut[i], end))),
    );
    // Parts are bytes only: no pivot, no photo.
    expect(await headUpload(parts[0] as string, token)).toMatchObject({ status: 200 });
    expect(
      (await headUpload(parts[0] as string, token)).response.headers.get('upload-concat'),
    ).toBe('partial');

    // Relative and absolute URLs alike name the parts.
    const names = parts.map((url, i) => (i === 0 ? new URL(url).pathname : url));
    const made = await final(token, names, { filename: 'whole.jpg', sha256: sha256(data) });
    expect(made.status).toBe(201);
    const result = (await made.json()) as UploadResult;
    expect(result).toMatchObject({
      duplicate: false,
      photo: { sha256: sha256(data), bytes: data.length, originalName: 'whole.jpg' },
    });
    const finalUrl = locationOf(made);
    const head = await headUpload(finalUrl, token);
    expect(head).toMatchObject({ status: 200, offset: data.length, length: data.length });
    expect(head.response.headers.get('upload-concat')).toBe(
      `final;${parts.map((url) => new URL(url).pathname).join(' ')}`,
    );

    const again = await final(token, names, { filename: 'whole.jpg', sha256: sha256(data) });
    expect(again.status).toBe(201);
    expect(locationOf(again)).toBe(finalUrl);
    expect(await again.json()).toMatchObject({ duplicate: false, photo: { id: result.photo.id } });
    // A final upload takes no bytes of its own.
    await expectProblem(
      await patchUpload(finalUrl, token, data.length, Buffer.alloc(1)),
      403,
      'forbidden',
    );
  });

  it('refuses a final upload of parts that are incomplete, another user’s, or not partial', async () => {
    const { token } = await registerUser(server.url);
    const other = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const unfinished = await partial(token, data, false);
    await expectProblem(await final(token, [unfinished]), 400, 'bad_request');
    const theirs = await partial(other.token, data);
    await expectProblem(await final(token, [theirs]), 404, 'not_found');
    const plain = await tusRequest(endpoint(), 'POST', token, {
      'upload-length': String(data.length),
    });
    await expectProblem(await final(token, [locationOf(plain)]), 400, 'bad_request');
    await expectProblem(
      await final(token, ['https://elsewhere.example/files/x']),
      400,
      'bad_request',
    );
    // Nothing was consumed: the part goes on, and makes its photo.
    expect((await patchUpload(unfinished, token, 0, data)).status).toBe(204);
    expect((await final(token, [unfinished])).status).toBe(201);
  });

  it('checks the whole file against the final upload’s declared hash', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const half = Math.floor(data.length / 2);
    const parts = [
      await partial(token, data.subarray(half)),
      await partial(token, data.subarray(0, half)),
    ];
    // In the wrong order: not the declared file.
    await expectProblem(await final(token, parts, { sha256: sha256(data) }), 400, 'hash_mismatch');
  });
});
