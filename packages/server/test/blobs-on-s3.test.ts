import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { UploadResult } from '@flickr-kit/sdk/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDeletedPhotos } from '../src/jobs/purge-deleted.ts';
import { callApi } from './api-calls.ts';
import {
  createTestDatabase,
  eventually,
  registerUser,
  startTestServer,
  type TestServer,
} from './harness.ts';
import {
  startS3Server,
  TEST_S3_CREDENTIALS,
  TEST_S3_REGION,
  type TestS3Server,
} from './s3-server.ts';
import { createUpload, headUpload, patchUpload } from './tus-protocol.ts';
import { sha256, testPhoto, uploadPhoto } from './uploads.ts';

/**
 * The standard AWS variables the SDK's credential chain reads first. Set
 * for this file's process (each test file has its own): with them, the
 * chain never goes on to ask an instance-metadata address for a role.
 */
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: 'true',
};

describe('the server with its blobs on S3', () => {
  let s3: TestS3Server;
  let client: S3Client;
  let bucket: string;
  let server: TestServer;
  const saved: Record<string, string | undefined> = {};

  const s3Env = (forBucket: string) => ({
    FLICKR_BLOB_STORE: 's3',
    FLICKR_S3_ENDPOINT: s3.endpoint,
    FLICKR_S3_REGION: TEST_S3_REGION,
    FLICKR_S3_BUCKET: forBucket,
    FLICKR_S3_FORCE_PATH_STYLE: 'true',
  });

  /** The bucket's object names, under a prefix. */
  const objects = async (prefix: string) =>
    (
      (await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ??
      []
    ).map((object) => object.Key);

  beforeAll(async () => {
    for (const [name, value] of Object.entries(AWS_ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    s3 = await startS3Server();
    client = s3.client();
    bucket = await s3.createBucket();
    server = await startTestServer({ ...s3Env(bucket), FLICKR_RENDITIONS: 'medium:320' });
  });
  afterAll(async () => {
    await server?.destroy();
    await s3?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('takes an upload through the saga and serves the original and the thumbnail from S3', async () => {
    const owner = await registerUser(server.url);
    const original = await testPhoto(1401, 800, 600);
    const { photo: uploaded } = await uploadPhoto(server.url, original, {
      token: owner.token,
      metadata: { visibility: 'public' },
    });
    const photo = await eventually(async () => {
      const { body } = await callApi(server.url, owner, 'GET', `/v1/photos/${uploaded.id}`);
      return body.status === 'ready' ? body : undefined;
    }, 30_000);

    // Stored and published in the bucket, under each store's prefix, in the layout.
    const folder = `${owner.userId}/default`;
    expect((await objects('blobs/')).sort()).toEqual(
      [
        `blobs/${folder}/medium/${photo.id}.jpg`,
        `blobs/${folder}/original/${photo.id}.jpg`,
        `blobs/${folder}/thumbnail/${photo.id}.jpg`,
      ].sort(),
    );
    expect((await objects('cdn/')).sort()).toEqual(
      [
        `cdn/${folder}/medium/${photo.id}.jpg`,
        `cdn/${folder}/original/${photo.id}.jpg`,
        `cdn/${folder}/thumbnail/${photo.id}.jpg`,
      ].sort(),
    );
    // Nothing on local disk but the database, the keys and the (emptied) staging.
    const local = await readdir(server.dataDir);
    expect(local).not.toContain('blobs');
    expect(local).not.toContain('cdn');

    const cdn = (url: string, headers: Record<string, string> = {}) =>
      fetch(new URL(url, server.url), { headers });
    const served = await cdn(photo.originalUrl as string);
    expect(served.status).toBe(200);
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(original));
    const etag = served.headers.get('etag') as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect((await cdn(photo.originalUrl as string, { 'if-none-match': etag })).status).toBe(304);
    const range = await cdn(photo.originalUrl as string, { range: 'bytes=100-199' });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(original.subarray(100, 200));

    const thumbnail = photo.renditions.find((rendition) => rendition.name === 'thumbnail');
    const answer = await cdn(thumbnail?.url as string);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    const image = await sharp(Buffer.from(await answer.arrayBuffer())).metadata();
    expect(image).toMatchObject({ format: 'jpeg', width: 50 });

    // Deleted and purged: gone from both places in the bucket.
    expect((await callApi(server.url, owner, 'DELETE', `/v1/photos/${photo.id}`)).status).toBe(204);
    await purgeDeletedPhotos(
      server.services.store,
      [server.services.cdn, server.services.blobs],
      server.services.renditions,
      0,
    );
    expect(await objects('blobs/')).toEqual([]);
    expect(await objects('cdn/')).toEqual([]);
  });

  it('redirects renditions to presigned GETs when so configured, checking the viewer first', async () => {
    const redirecting = await startTestServer({
      ...s3Env(bucket),
      FLICKR_CDN_REDIRECT_SECONDS: '60',
    });
    try {
      const owner = await registerUser(redirecting.url);
      const original = await testPhoto(1403, 800, 600);
      const { photo: uploaded } = await uploadPhoto(redirecting.url, original, {
        token: owner.token,
        metadata: { visibility: 'public' },
      });
      const photo = await eventually(async () => {
        const { body } = await callApi(redirecting.url, owner, 'GET', `/v1/photos/${uploaded.id}`);
        return body.status === 'ready' ? body : undefined;
      }, 30_000);
      const thumbnailUrl = new URL(
        photo.renditions.find((rendition) => rendition.name === 'thumbnail')?.url as string,
        redirecting.url,
      );
      const ask = (url: URL | string) => fetch(url, { redirect: 'manual' });

      const first = await ask(thumbnailUrl);
      expect(first.status).toBe(302);
      expect(first.headers.get('cache-control')).toBe('no-store');
      const location = new URL(first.headers.get('location') as string);
      expect(location.origin).toBe(new URL(s3.endpoint).origin);
      expect(location.pathname).toBe(
        `/${bucket}/cdn/${owner.userId}/default/thumbnail/${photo.id}.jpg`,
      );
      // The bucket answers as this server would have.
      expect(location.searchParams.get('response-cache-control')).toBe(
        'public, max-age=60, immutable',
      );
      expect(location.searchParams.get('response-content-type')).toBe('image/jpeg');
      const image = await sharp(
        Buffer.from(await (await fetch(location)).arrayBuffer()),
      ).metadata();
      expect(image).toMatchObject({ format: 'jpeg', width: 50 });
      // Every viewer is sent to the same URL while it has life left (caches keep the bucket's answer).
      const again = await ask(thumbnailUrl);
      expect(again.status).toBe(302);
      expect(again.headers.get('location')).toBe(location.toString());

      // Originals are streamed: one at a time per viewer, GPS-free where they must be.
      const served = await ask(new URL(photo.originalUrl as string, redirecting.url));
      expect(served.status).toBe(200);
      expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(original));

      // The viewer is checked before every redirect: a deleted photo is not redirected to.
      expect(
        (await callApi(redirecting.url, owner, 'DELETE', `/v1/photos/${photo.id}`)).status,
      ).toBe(204);
      await eventually(
        async () => ((await ask(thumbnailUrl)).status === 404 ? true : undefined),
        5_000,
        'the deleted photo no longer redirected',
      );
    } finally {
      await redirecting.destroy();
    }
  });

  it('refuses to start on a bucket that does not exist, saying which', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'flickr-s3-missing-'));
    const database = await createTestDatabase();
    try {
      await expect(startTestServer(s3Env('no-such-bucket'), { dataDir, database })).rejects.toThrow(
        /S3 bucket "no-such-bucket" did not answer/,
      );
    } finally {
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stages uploads in the bucket, so one begun through one API process ends through another', async () => {
    const database = await createTestDatabase();
    // Two deployments' processes share the database and the signing key, nothing on disk.
    const env = {
      ...s3Env(bucket),
      FLICKR_UPLOAD_STAGING: 's3',
      FLICKR_SIGNING_KEY: randomBytes(32).toString('hex'),
    };
    const first = await startTestServer(env, { database });
    const second = await startTestServer(
      {
        ...env,
        ...(database.url ? {} : { DATABASE_URL: `sqlite:${join(first.dataDir, 'flickr.db')}` }),
      },
      { database, role: 'serve' },
    );
    try {
      const owner = await registerUser(first.url);
      const data = await testPhoto(1402, 640, 480);
      const url = await createUpload(first.url, owner.token, data);
      const half = Math.floor(data.length / 2);
      expect((await patchUpload(url, owner.token, 0, data.subarray(0, half))).status).toBe(204);
      const id = new URL(url).pathname.split('/').at(-1) as string;
      expect((await objects(`staging/${id}/`)).length).toBeGreaterThan(0);

      // The other process knows where the upload stands, and takes the rest.
      const there = new URL(new URL(url).pathname, second.url).toString();
      expect((await headUpload(there, owner.token)).offset).toBe(half);
      const rest = await patchUpload(there, owner.token, half, data.subarray(half));
      expect(rest.status).toBe(200);
      const { photo: accepted } = (await rest.json()) as UploadResult;
      expect(accepted.sha256).toBe(sha256(data));
      const photo = await eventually(async () => {
        const { body } = await callApi(first.url, owner, 'GET', `/v1/photos/${accepted.id}`);
        return body.status === 'ready' ? body : undefined;
      }, 30_000);
      const original = await fetch(new URL(photo.originalUrl as string, second.url));
      expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(sha256(data));
      // Stored, so no longer staged.
      await eventually(
        async () => ((await objects(`staging/${id}/`)).length === 0 ? true : undefined),
        10_000,
        'the staged upload removed',
      );
    } finally {
      await second.stop();
      await first.destroy();
    }
  });
});
