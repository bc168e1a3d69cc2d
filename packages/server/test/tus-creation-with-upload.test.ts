import { stat } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import { join } from 'node:path';
import { type Photo, TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { createUpload, headUpload, patchUpload, uploadMetadata } from './tus-protocol.ts';
import { sha256, testPhoto } from './uploads.ts';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A tus creation request carrying bytes (creation-with-upload), sent with
 * Content-Length or, when `chunked`, with Transfer-Encoding: chunked and no
 * length, as a client streaming a file of unknown length does.
 */
function postWithUpload(
  baseUrl: string,
  token: string,
  data: Buffer,
  options: { sent?: number; chunked?: boolean; metadata?: Record<string, string> } = {},
): Promise<Answer> {
  const body = data.subarray(0, options.sent ?? data.length);
  return new Promise((resolve, reject) => {
    const post = request(`${baseUrl}${TUS_PATH}/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(data.length),
        'upload-metadata': uploadMetadata({
          filename: 'photo.jpg',
          sha256: sha256(data),
          ...options.metadata,
        }),
        'content-type': 'application/offset+octet-stream',
        prefer: 'return=representation',
        ...(options.chunked ? {} : { 'content-length': String(body.length) }),
      },
    });
    post.on('error', reject);
    post.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    if (options.chunked) {
      // Two writes without a length: Node sends them as chunks.
      const half = Math.floor(body.length / 2);
      post.write(body.subarray(0, half));
      post.end(body.subarray(half));
    } else post.end(body);
  });
}

describe('tus creation-with-upload', () => {
  let server: TestServer;
  let seed = 900;

  beforeAll(async () => {
    // A transfer over the user's limit is refused at once here, not queued.
    server = await startTestServer({ FLICKR_UPLOAD_WAIT_SECONDS: '0' });
  });
  afterAll(() => server?.destroy());

  const readyPhoto = (token: string, id: string) =>
    eventually(async () => {
      const response = await fetch(`${server.url}/v1/photos/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const photo = (await response.json()) as Photo;
      return photo.status === 'ready' ? photo : undefined;
    });

  it('records the photo from one POST carrying the whole file: 201, its Location and the result', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const answer = await postWithUpload(server.url, token, data, { metadata: { title: 'One go' } });
    expect(answer.status).toBe(201);
    // Absolute, as tus wants it.
    expect(answer.headers.location).toMatch(new RegExp(`^${server.url}${TUS_PATH}/[0-9a-f-]{36}$`));
    expect(answer.headers['upload-offset']).toBe(String(data.length));
    // A finished upload does not expire.
    expect(answer.headers['upload-expires']).toBeUndefined();
    const result = JSON.parse(answer.body) as UploadResult;
    expect(result).toMatchObject({
      duplicate: false,
      photo: { status: 'processing', sha256: sha256(data), bytes: data.length, title: 'One go' },
    });
    expect((await readyPhoto(token, result.photo.id)).renditions.map((r) => r.name)).toEqual([
      'thumbnail',
    ]);
  });

  it('answers a POST carrying a file the user already has with the existing photo', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const first = JSON.parse((await postWithUpload(server.url, token, data)).body) as UploadResult;
    const again = await postWithUpload(server.url, token, data);
    expect(again.status).toBe(201);
    expect(JSON.parse(again.body)).toMatchObject({
      duplicate: true,
      photo: { id: first.photo.id },
    });
  });

  it('takes part of the file in the POST and the rest by PATCH', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const part = Math.floor(data.length / 3);
    const answer = await postWithUpload(server.url, token, data, { sent: part });
    expect(answer.status).toBe(201);
    expect(answer.headers['upload-offset']).toBe(String(part));
    expect(answer.body).toBe('');
    const url = new URL(answer.headers.location ?? '', server.url).toString();
    expect(await headUpload(url, token)).toMatchObject({ status: 200, offset: part });
    const rest = await patchUpload(url, token, part, data.subarray(part));
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as UploadResult).photo.sha256).toBe(sha256(data));
  });

  it('accepts a chunked POST without Content-Length', async () => {
    const { token } = await registerUser(server.url);
    const data = await testPhoto(seed++);
    const answer = await postWithUpload(server.url, token, data, { chunked: true });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ photo: { sha256: sha256(data) } });
  });

  it('counts a chunked POST against the user’s one upload transfer at a time', async () => {
    const { token } = await registerUser(server.url);
    const first = await testPhoto(seed++, 1200, 900);
    const url = await createUpload(server.url, token, first);
    // Hold a transfer open with half its bytes sent.
    const slow = request(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(first.length),
      },
    });
    const finished = new Promise<number>((resolve, reject) => {
      slow.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(first.subarray(0, first.length / 2));
    const staged = join(server.dataDir, 'uploads', url.split('/').at(-1) as string);
    await eventually(async () => ((await stat(staged)).size > 0 ? true : undefined));

    const second = await testPhoto(seed++);
    const refused = await postWithUpload(server.url, token, second, { chunked: true });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'too_many_uploads', status: 429 });
    // Refused before anything was created.
    expect(refused.headers.location).toBeUndefined();

    slow.end(first.subarray(first.length / 2));
    // The last PATCH of an upload is a 204, as tus has it (no Prefer: return=representation).
    expect(await finished).toBe(204);
    expect((await postWithUpload(server.url, token, second, { chunked: true })).status).toBe(201);
  });
});
