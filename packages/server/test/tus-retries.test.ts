// What a client that lost an answer does: send the last request again, or
// ask where the upload stands. Every retry must hear what the first heard,
// and the server must end with exactly one photo that becomes ready.

import type { Photo } from '@flickr-kit/sdk/contract';
import { TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
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

const EMPTY = new Uint8Array(0);

describe('retries of the request that completes an upload', () => {
  let server: TestServer;
  let seed = 4000;

  beforeAll(async () => {
    // Several transfers at once per user, so concurrent retries all reach the upload.
    server = await startTestServer({ FLICKR_UPLOADS_PER_USER: '10' });
  });
  afterAll(() => server?.destroy());

  const readyPhoto = ({ token }: { token: string }, id: string) =>
    eventually(async () => {
      const response = await fetch(`${server.url}/v1/photos/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const photo = (await response.json()) as Photo;
      return photo.status === 'ready' ? photo : undefined;
    });

  const photosOf = async (token: string, username: string) => {
    const response = await fetch(`${server.url}/v1/users/${username}/photos?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { items: { id: string }[] }).items;
  };

  it('answers a retried last PATCH as the first, any number of times, and the photo becomes ready', async () => {
    const { token, username } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const url = await createUpload(server.url, token, data);
    const first = await patchUpload(url, token, 0, data);
    expect(first.status).toBe(200);
    const result = (await first.json()) as UploadResult;
    expect(result).toMatchObject({ duplicate: false, photo: { status: 'processing' } });

    // The answer was lost: the client sends the last request again (tus-js-client does).
    for (let i = 0; i < 3; i++) {
      const again = await patchUpload(url, token, data.length, EMPTY);
      expect(again.status).toBe(200);
      expect(again.headers.get('upload-offset')).toBe(String(data.length));
      expect(again.headers.get('flickr-photo-id')).toBe(result.photo.id);
      expect(await again.json()).toMatchObject({
        duplicate: false,
        clientThumbnail: result.clientThumbnail,
        photo: { id: result.photo.id },
      });
    }
    // Or it asks where the upload stands: all of it is there, and which photo it became.
    const head = await headUpload(url, token);
    expect(head).toMatchObject({ status: 200, offset: data.length, length: data.length });
    expect(head.response.headers.get('flickr-photo-id')).toBe(result.photo.id);
    expect(head.response.headers.get('upload-expires')).toBeNull();

    const ready = await readyPhoto({ token }, result.photo.id);
    expect(ready.sha256).toBe(sha256(data));
    expect(await photosOf(token, username)).toHaveLength(1);
    // After the saga stored the bytes, the retry still answers the same.
    const late = await patchUpload(url, token, data.length, EMPTY);
    expect(await late.json()).toMatchObject({ photo: { id: result.photo.id, status: 'ready' } });
  });

  it('answers concurrent retries of the last PATCH alike, with one photo', async () => {
    const { token, username } = await registerUser(server.url);
    const data = await testPhoto(seed++, 1600, 1200);
    const url = await createUpload(server.url, token, data);
    // The first carries the bytes; the others, sent at once, are retries of it.
    const answers = await Promise.all([
      patchUpload(url, token, 0, data),
      ...Array.from({ length: 4 }, () => patchUpload(url, token, data.length, EMPTY)),
    ]);
    const statuses = answers.map((answer) => answer.status);
    // A retry that arrives before the bytes have all landed is told where the upload stands.
    for (const status of statuses) expect([200, 409]).toContain(status);
    expect(statuses[0]).toBe(200);
    const ids = new Set<string>();
    for (const answer of answers) {
      if (answer.status === 200) ids.add(((await answer.json()) as UploadResult).photo.id);
      else expect(Number(answer.headers.get('upload-offset'))).toBeLessThanOrEqual(data.length);
    }
    expect(ids.size).toBe(1);
    await readyPhoto({ token }, [...ids][0] as string);
    expect(await photosOf(token, username)).toHaveLength(1);
  });

  it('answers a retried creation that carried the whole file with the same photo', async () => {
    const { token, username } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const create = () =>
      tusRequest(
        `${server.url}${TUS_PATH}/`,
        'POST',
        token,
        {
          'upload-length': String(data.length),
          'upload-metadata': uploadMetadata({ filename: 'a.jpg', sha256: sha256(data) }),
          prefer: 'return=representation',
        },
        data,
      );
    const first = await create();
    expect(first.status).toBe(201);
    const { photo } = (await first.json()) as UploadResult;
    const second = await create();
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({ duplicate: true, photo: { id: photo.id } });
    await readyPhoto({ token }, photo.id);
    expect(await photosOf(token, username)).toHaveLength(1);
  });

  it('answers a creation retried with its Idempotency-Key exactly as the first, without taking the bytes again', async () => {
    const { token, username } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const create = (key: string, title = 'once') =>
      tusRequest(
        `${server.url}${TUS_PATH}/`,
        'POST',
        token,
        {
          'upload-length': String(data.length),
          'upload-metadata': uploadMetadata({ filename: 'a.jpg', title }),
          'idempotency-key': key,
          prefer: 'return=representation',
        },
        data,
      );
    // Sent at once, as a client that timed out and retried while the first still ran.
    const [first, second] = await Promise.all([create('k-1'), create('k-1')]);
    const answers = [first, second].map((answer) => {
      expect(answer?.status).toBe(201);
      return answer as Response;
    });
    // The one that lost the race to create it answers where the upload stood, without a result.
    const results = await Promise.all(
      answers.map(async (a) => {
        const text = await a.text();
        return text ? (JSON.parse(text) as UploadResult) : undefined;
      }),
    );
    expect(new Set(answers.map((answer) => locationOf(answer))).size).toBe(1);
    const finished = results.filter((result) => result !== undefined);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    for (const result of finished) expect(result.duplicate).toBe(false);
    const later = await create('k-1');
    expect(locationOf(later)).toBe(locationOf(first as Response));
    expect(await later.json()).toMatchObject({
      duplicate: false,
      photo: { id: finished[0]?.photo.id },
    });
    // The same key on another request is a mistake, said as such.
    await expectProblem(await create('k-1', 'changed'), 422, 'idempotency_key_reused');
    await readyPhoto({ token }, finished[0]?.photo.id as string);
    expect(await photosOf(token, username)).toHaveLength(1);
  });

  it('repeats a refusal to a retry, and a retry with bytes past the end is refused', async () => {
    const { token } = await registerUser(server.url);
    const data = Buffer.from('not an image at all, just text\n');
    const url = await createUpload(server.url, token, data);
    const first = await expectProblem(
      await patchUpload(url, token, 0, data),
      422,
      'unsupported_image',
    );
    const again = await expectProblem(
      await patchUpload(url, token, data.length, EMPTY),
      422,
      'unsupported_image',
    );
    expect(again.detail).toBe(first.detail);
    await expectProblem(
      await patchUpload(url, token, data.length, Buffer.from('more')),
      413,
      'payload_too_large',
    );
    const wrong = await patchUpload(url, token, 3, EMPTY);
    await expectProblem(wrong, 409, 'upload_conflict');
    expect(wrong.headers.get('upload-offset')).toBe(String(data.length));
  });

  it('answers 204 with the photo id to a client that does not ask for the result', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const url = await createUpload(server.url, token, data);
    const done = await patchUpload(url, token, 0, data, { prefer: null });
    expect(done.status).toBe(204);
    expect(await done.text()).toBe('');
    const id = done.headers.get('flickr-photo-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await patchUpload(url, token, data.length, EMPTY, { prefer: null });
    expect(again.status).toBe(204);
    expect(again.headers.get('flickr-photo-id')).toBe(id);
    await readyPhoto({ token }, id);
  });
});
