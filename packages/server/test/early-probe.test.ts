// The pivot takes the image's probe made from its header while the upload
// arrived, when there is one, and probes the complete file otherwise.
import type { ImageProbe } from '@flickr-kit/thumbnail-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, registerUser, startTestServer, type TestServer } from './harness.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

describe('early probe at the pivot', () => {
  let server: TestServer;
  let token: string;
  const taken: (ImageProbe | undefined)[] = [];
  const database = createTestDatabase();

  beforeAll(async () => {
    server = await startTestServer({}, { database: await database });
    ({ token } = await registerUser(server.url));
    // The pivot asks the staging store for it: record what it hands over.
    const staging = server.services.staging;
    const earlyProbe = staging.earlyProbe.bind(staging);
    staging.earlyProbe = async (uploadId) => {
      const probe = await earlyProbe(uploadId);
      taken.push(probe);
      return probe;
    };
  });
  afterAll(async () => {
    await server.destroy();
    await (await database).drop();
  });

  it('is made from a JPEG header as it arrives, and describes the photo', async () => {
    taken.length = 0;
    const { photo } = await uploadPhoto(server.url, await testPhoto(1, 320, 200), { token });
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ format: 'jpeg', width: 320, height: 200 });
    expect(photo).toMatchObject({ width: 320, height: 200 });
  });

  it('is made from the first PATCH of an upload sent in several', async () => {
    taken.length = 0;
    const data = await testPhoto(2, 640, 480);
    const { photo } = await uploadPhoto(server.url, data, { token, chunkSize: 4096 });
    expect(taken[0]).toMatchObject({ width: 640, height: 480 });
    expect(photo).toMatchObject({ width: 640, height: 480 });
  });

  it('is absent for other formats, whose complete file the pivot probes', async () => {
    taken.length = 0;
    const png = await sharp({
      create: { width: 90, height: 60, channels: 3, background: { r: 9, g: 99, b: 199 } },
    })
      .png()
      .toBuffer();
    const { photo } = await uploadPhoto(server.url, png, {
      token,
      metadata: { filename: 'photo.png' },
    });
    expect(taken).toEqual([undefined]);
    expect(photo).toMatchObject({ width: 90, height: 60 });
  });
});
