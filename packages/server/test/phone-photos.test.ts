// The photos phones make: HEIC from an iPhone, sent by a stock tus client
// with no metadata of ours, becomes a photo with upright renditions and its
// EXIF facts, and the original is kept exactly as sent.
import { readFile } from 'node:fs/promises';
import { type Photo, TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { locationOf, tusRequest, uploadMetadata } from './tus-protocol.ts';
import { sha256 } from './uploads.ts';

const fixture = (name: string) =>
  readFile(new URL(`../../thumbnail-core/test/fixtures/heic/${name}`, import.meta.url));

describe('photos from phones', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_RENDITIONS: 'medium:320:webp' });
    ({ token } = await registerUser(server.url));
  });
  afterAll(() => server?.destroy());

  async function upload(data: Buffer, metadata: Record<string, string> = {}) {
    const answer = await tusRequest(
      `${server.url}${TUS_PATH}/`,
      'POST',
      token,
      {
        'upload-length': String(data.length),
        'upload-metadata': uploadMetadata(metadata),
        prefer: 'return=representation',
      },
      data,
    );
    expect(answer.status).toBe(201);
    return { result: (await answer.json()) as UploadResult, url: locationOf(answer) };
  }

  const ready = (id: string) =>
    eventually(async () => {
      const response = await fetch(`${server.url}/v1/photos/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const photo = (await response.json()) as Photo;
      return photo.status === 'ready' ? photo : undefined;
    }, 30_000);

  it('makes an iPhone HEIC a photo with its EXIF facts and upright renditions', async () => {
    const data = await fixture('lake-exif-p3.heic');
    const { result } = await upload(data, { name: 'IMG_0001.HEIC' });
    expect(result.photo).toMatchObject({
      format: 'heic',
      originalName: 'IMG_0001.HEIC',
      width: 600,
      height: 400,
      sha256: sha256(data),
    });
    expect(result.photo.capturedAt).toBeTruthy();
    expect(result.photo.location).toBeTruthy();
    const photo = await ready(result.photo.id);
    expect(photo.renditions.map((r) => [r.name, r.width]).sort()).toEqual([
      ['medium', 320],
      ['thumbnail', 50],
    ]);
    expect(photo.placeholder).toBeTruthy();
    const original = await fetch(new URL(photo.originalUrl ?? '', server.url));
    expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(sha256(data));
  });

  it('stands a HEIC turned by its irot box upright, once', async () => {
    const { result } = await upload(await fixture('portrait-irot.heic'));
    const photo = await ready(result.photo.id);
    const medium = photo.renditions.find((r) => r.name === 'medium');
    const bytes = Buffer.from(
      await (await fetch(new URL(medium?.url ?? '', server.url))).arrayBuffer(),
    );
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    expect(height).toBeGreaterThan(width);
    expect(photo.height).toBeGreaterThan(photo.width ?? 0);
  });
});
