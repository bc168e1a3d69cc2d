import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type FlickrClient, PhotoFailedError } from '@flickr-kit/sdk';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { damagedMiddle } from './fixtures/damaged-jpeg.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('uploads.uploadFile', () => {
  let server: RealServer;
  let client: FlickrClient & { username: string };
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    client = await server.client();
    dir = await mkdtemp(join(tmpdir(), 'sdk-upload-file-'));
  });
  afterAll(async () => {
    await client.close();
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a Buffer with its metadata, and the server keeps the client’s thumbnail', async () => {
    const result = await client.uploads.uploadFile(await photo(101), {
      filename: 'lake.jpg',
      title: 'Lake at dawn',
      tags: ['lake', 'dawn'],
      visibility: 'public',
    });
    expect(result.status).toBe('uploaded');
    if (result.status !== 'uploaded') return;
    expect(result.clientThumbnail).toBe('accepted');
    expect(result.photo).toMatchObject({
      originalName: 'lake.jpg',
      title: 'Lake at dawn',
      tags: ['lake', 'dawn'],
      visibility: 'public',
    });
    const ready = await client.photos.waitUntilReady(result.photo.id);
    expect(ready.renditions.find((r) => r.name === 'thumbnail')?.renderedBy).toBe('client');
  });

  it('uploads a stream (spooled, hashed, sent), and skips the same bytes as a Buffer, returning the photo', async () => {
    const bytes = await photo(102);
    const path = join(dir, 'stream.jpg');
    await writeFile(path, bytes);
    const streamed = await client.uploads.uploadFile(createReadStream(path), {
      filename: 'stream.jpg',
    });
    expect(streamed.status).toBe('uploaded');
    const again = await client.uploads.uploadFile(bytes);
    expect(again).toMatchObject({
      status: 'skipped',
      photoId: streamed.photo.id,
      sha256: streamed.sha256,
    });
    expect(again.photo).toMatchObject({ id: streamed.photo.id, originalName: 'stream.jpg' });

    // A stream that is not a file (nothing to re-read) works the same.
    const generated = await client.uploads.uploadFile(Readable.from([await photo(103)]), {
      filename: 'generated.jpg',
    });
    expect(generated.status).toBe('uploaded');
  });

  it('still uploads a file the client cannot render, and waitUntilReadyMany reports each photo', async () => {
    const good = await client.uploads.uploadFile(await photo(104));
    // The header reads (the server accepts it), the pixels are damaged: rendering fails on both sides.
    const png = await sharp(await photo(105))
      .png()
      .toBuffer();
    const cut = await client.uploads.uploadFile(damagedMiddle(png), { filename: 'cut.png' });
    expect(cut.status).toBe('uploaded');
    if (cut.status !== 'uploaded') return;
    expect(cut.clientThumbnail).toBe('absent');
    const report = await client.photos.waitUntilReadyMany([good.photo.id, cut.photo.id]);
    expect(report.map((entry) => entry.status)).toEqual(['ready', 'failed']);
    expect(report[1]?.error).toBeInstanceOf(PhotoFailedError);
    expect(report[1]?.photo?.statusReason).toBeTruthy();
  });
});
