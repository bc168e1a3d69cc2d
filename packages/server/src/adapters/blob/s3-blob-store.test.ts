import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from '../../../test/contracts/blob-store.contract.ts';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

let server: TestS3Server;
let client: S3Client;
let scratch: string;
beforeAll(async () => {
  server = await startS3Server();
  client = server.client();
  scratch = await mkdtemp(join(tmpdir(), 's3-blobs-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** A store on a new bucket, or under a new prefix of a shared one, as the CDN tier's may be. */
async function s3Store(options: { prefix?: string; bucket?: string } = {}) {
  const bucket = options.bucket ?? (await server.createBucket());
  const prefix = options.prefix ?? '';
  const store = new S3BlobStore({
    client,
    bucket,
    prefix,
    scratchDir: await mkdtemp(join(scratch, 'scratch-')),
    // Two 5 MiB parts in flight: what an upload holds stays well apart from a whole 64 MiB file.
    queueSize: 2,
  });
  return { store, bucket, prefix };
}

/** What a writer that died mid-upload leaves: a multipart upload with a part and no end. */
async function abandonUpload(bucket: string, objectKey: string): Promise<void> {
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: objectKey }),
  );
  await client.send(
    new UploadPartCommand({
      Bucket: bucket,
      Key: objectKey,
      UploadId,
      PartNumber: 1,
      Body: Buffer.alloc(1024, 'x'),
    }),
  );
}

// Under a prefix, as the configured stores are (`blobs/`, `cdn/`); the tests
// below use bare buckets too.
describeBlobStoreContract('S3BlobStore', async () => {
  const { store, bucket, prefix } = await s3Store({ prefix: 'blobs/' });
  return { store, abandonWrite: (key) => abandonUpload(bucket, prefix + key) };
});

describe('S3BlobStore', () => {
  const key = '0190b2f4-0000-7000-8000-000000000001/default/original/p.jpg';

  it('keeps two prefixes of one bucket apart, and sweeps only its own', async () => {
    const blobs = await s3Store({ prefix: 'blobs/' });
    const cdn = await s3Store({ prefix: 'cdn/', bucket: blobs.bucket });
    await blobs.store.put(key, Buffer.from('private'));
    expect(await cdn.store.stat(key)).toBeUndefined();
    await blobs.store.copyTo(key, cdn.store);
    expect(await cdn.store.stat(key)).toMatchObject({ bytes: 7 });
    await abandonUpload(blobs.bucket, `cdn/${key}`);
    expect(await blobs.store.sweepIncoming(-1)).toBe(0);
    expect(await cdn.store.sweepIncoming(-1)).toBe(1);
  });

  it('pages through more abandoned uploads than one listing holds', async () => {
    const { store, bucket } = await s3Store();
    await Promise.all(
      Array.from({ length: 1005 }, (_, i) =>
        client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `u/a/o/${i}.jpg` })),
      ),
    );
    expect(await store.sweepIncoming(-1)).toBe(1005);
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(left.Uploads ?? []).toEqual([]);
  });

  it('copies to a store on another S3 client by streaming, not CopyObject', async () => {
    const { store } = await s3Store();
    const other = server.client();
    const target = new S3BlobStore({
      client: other,
      bucket: await server.createBucket(),
      scratchDir: scratch,
    });
    await store.put(key, Buffer.from('across services'));
    expect(await store.copyTo(key, target)).toEqual(await target.stat(key));
    expect(await buffer(await target.read(key))).toEqual(Buffer.from('across services'));
  });

  it('hands out presigned GETs of the blob, for its life, asking for the given headers', async () => {
    const { store } = await s3Store({ prefix: 'cdn/' });
    await store.put(key, Buffer.from('straight from the bucket'));
    const headers = { cacheControl: 'private, max-age=60', contentType: 'image/jpeg' };
    const url = new URL(await store.directUrl(key, 90, headers));
    expect(url.pathname).toMatch(/\/cdn\/0190b2f4-.*\/p\.jpg$/);
    // S3 answers with these headers; the test server (fauxqs) neither checks
    // signatures nor applies response-* overrides, so the URL is what is checked.
    expect(url.searchParams.get('X-Amz-Expires')).toBe('90');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('response-cache-control')).toBe(headers.cacheControl);
    expect(url.searchParams.get('response-content-type')).toBe(headers.contentType);
    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer()).toString()).toBe('straight from the bucket');
  });

  it('copies to and from the local store', async () => {
    const { store } = await s3Store();
    const local = new LocalBlobStore(await mkdtemp(join(scratch, 'local-')));
    await store.put(key, Buffer.from('to disk'));
    await store.copyTo(key, local);
    expect(await local.stat(key)).toMatchObject({ bytes: 7 });
    const back = await s3Store();
    await local.copyTo(key, back.store);
    expect(await back.store.stat(key)).toMatchObject({ bytes: 7 });
  });

  it('refuses a prefix outside the layout', () => {
    for (const prefix of ['../', 'a', '/a/', 'a//'])
      expect(() => new S3BlobStore({ client, bucket: 'b', prefix, scratchDir: scratch })).toThrow();
  });

  it('says at start that a bucket does not exist', async () => {
    const missing = new S3BlobStore({ client, bucket: 'no-such-bucket', scratchDir: scratch });
    await expect(missing.check()).rejects.toThrow(/no-such-bucket.*did not answer/);
    await (await s3Store()).store.check();
  });
});
