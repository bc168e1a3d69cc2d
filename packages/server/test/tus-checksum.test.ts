// tus checksum extension: each request's body checked against Upload-Checksum.
import { createHash } from 'node:crypto';
import { TUS_PATH } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import {
  createUpload,
  headUpload,
  patchUpload,
  tusRequest,
  uploadMetadata,
} from './tus-protocol.ts';
import { sha256, testPhoto } from './uploads.ts';

const checksum = (algorithm: string, data: Uint8Array) =>
  `${algorithm} ${createHash(algorithm).update(data).digest('base64')}`;

describe('tus checksum extension', () => {
  let server: TestServer;
  let token: string;
  let seed = 5000;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await registerUser(server.url));
  });
  afterAll(() => server?.destroy());

  it.each(['md5', 'sha1', 'sha256'])(
    'accepts bodies whose %s checksum matches',
    async (algorithm) => {
      const data = await testPhoto(seed++);
      const url = await createUpload(server.url, token, data);
      const half = Math.floor(data.length / 2);
      const first = await patchUpload(url, token, 0, data.subarray(0, half), {
        'upload-checksum': checksum(algorithm, data.subarray(0, half)),
      });
      expect(first.status).toBe(204);
      const last = await patchUpload(url, token, half, data.subarray(half), {
        'upload-checksum': checksum(algorithm, data.subarray(half)),
      });
      expect(last.status).toBe(200);
      expect(await last.json()).toMatchObject({ photo: { sha256: sha256(data) } });
    },
  );

  it('refuses a body whose checksum does not match with 460, keeping none of it', async () => {
    const data = await testPhoto(seed++);
    const url = await createUpload(server.url, token, data);
    const half = Math.floor(data.length / 2);
    expect((await patchUpload(url, token, 0, data.subarray(0, half))).status).toBe(204);
    const corrupted = Buffer.from(data.subarray(half));
    corrupted[10] = (corrupted[10] ?? 0) ^ 0xff;
    const refused = await patchUpload(url, token, half, corrupted, {
      'upload-checksum': checksum('sha1', data.subarray(half)),
    });
    await expectProblem(refused, 460, 'checksum_mismatch');
    expect(refused.headers.get('tus-resumable')).toBe('1.0.0');
    // The offset did not move: the client sends the same bytes again, right this time.
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: half });
    const resent = await patchUpload(url, token, half, data.subarray(half), {
      'upload-checksum': checksum('sha1', data.subarray(half)),
    });
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ photo: { sha256: sha256(data) } });
  });

  it('checks a partial upload’s first body, which has no running hash to compare with', async () => {
    const data = await testPhoto(seed++);
    const part = await tusRequest(`${server.url}${TUS_PATH}/`, 'POST', token, {
      'upload-length': String(data.length),
      'upload-concat': 'partial',
    });
    const url = part.headers.get('location') as string;
    const corrupted = Buffer.from(data);
    corrupted[20] = (corrupted[20] ?? 0) ^ 0xff;
    await expectProblem(
      await patchUpload(url, token, 0, corrupted, { 'upload-checksum': checksum('sha256', data) }),
      460,
      'checksum_mismatch',
    );
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 0 });
    const sent = await patchUpload(url, token, 0, data, {
      'upload-checksum': checksum('sha256', data),
    });
    expect(sent.status).toBe(204);
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: data.length });
  });

  it('checks the bytes of a creation-with-upload', async () => {
    const data = await testPhoto(seed++);
    const create = (sum: string) =>
      tusRequest(
        `${server.url}${TUS_PATH}/`,
        'POST',
        token,
        {
          'upload-length': String(data.length),
          'upload-metadata': uploadMetadata({ filename: 'a.jpg' }),
          'upload-checksum': sum,
        },
        data,
      );
    const refused = await create(checksum('sha256', Buffer.from('other bytes')));
    await expectProblem(refused, 460, 'checksum_mismatch');
    // The upload was created before its bytes were refused: it holds none of them.
    const location = refused.headers.get('location');
    expect(location).toBeTruthy();
    expect(await headUpload(location as string, token)).toMatchObject({ status: 200, offset: 0 });
    expect((await create(checksum('sha256', data))).status).toBe(201);
  });

  it.each([
    ['crc32 AAAAAA==', /not one of md5,sha1,sha256/],
    ['sha1', /expected/],
    ['sha1 not*base64', /expected/],
  ])('refuses Upload-Checksum: %s with 400, writing nothing', async (header, detail) => {
    const data = await testPhoto(seed++, 64, 48);
    const url = await createUpload(server.url, token, data);
    const refused = await patchUpload(url, token, 0, data, { 'upload-checksum': header });
    expect((await expectProblem(refused, 400, 'bad_request')).detail).toMatch(detail);
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: 0 });
  });
});
