import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FlickrClient,
  NotFoundError,
  PermissionDeniedError,
  type UploadManyEvent,
  ValidationError,
} from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy } from '../packages/sdk/bench/counting-proxy.ts';
import { damagedHeader } from './fixtures/damaged-jpeg.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('the SDK with a whole archive', () => {
  let server: RealServer;
  let client: FlickrClient & { username: string };
  let folder: string;
  let out: string;
  let files: string[];

  beforeAll(async () => {
    server = await startRealServer();
    client = await server.client();
    folder = await mkdtemp(join(tmpdir(), 'sdk-archive-'));
    out = await mkdtemp(join(tmpdir(), 'sdk-download-'));
    files = [];
    for (let i = 0; i < 8; i++) {
      const path = join(folder, `IMG_${i}.jpg`);
      await writeFile(path, await photo(i));
      files.push(path);
    }
    // The same bytes under another name, and a real JPEG whose frame header is damaged.
    await writeFile(join(folder, 'copy-of-IMG_0.jpg'), await readFile(files[0] as string));
    await writeFile(join(folder, 'damaged.jpg'), damagedHeader(await photo(20)));
    files.push(join(folder, 'copy-of-IMG_0.jpg'), join(folder, 'damaged.jpg'));
  });
  afterAll(async () => {
    await client.close();
    await server.destroy();
    await rm(folder, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it('uploads a folder once, reporting every file, and a rerun sends zero bytes', async () => {
    // One file the server already has from an earlier run.
    const earlier = await client.uploads.uploadFile(files[7] as string);
    expect(earlier.status).toBe('uploaded');

    const events: UploadManyEvent[] = [];
    const report = await client.uploads.uploadMany(files, {
      onProgress: (event) => events.push(event),
    });
    const byName = Object.fromEntries(report.map((entry) => [entry.path.split('/').at(-1), entry]));
    expect(report.filter((entry) => entry.status === 'uploaded')).toHaveLength(7);
    expect(byName['IMG_7.jpg']).toMatchObject({
      status: 'skipped',
      reason: 'exists',
      photoId: earlier.photo.id,
    });
    expect(byName['copy-of-IMG_0.jpg']).toMatchObject({
      status: 'skipped',
      reason: 'duplicate-in-batch',
      photoId: byName['IMG_0.jpg']?.photoId,
    });
    expect(byName['damaged.jpg']?.status).toBe('failed');
    expect(byName['damaged.jpg']?.error).toBeInstanceOf(ValidationError);
    expect(byName['damaged.jpg']?.error).toMatchObject({ code: 'corrupt_image' });
    expect(events.some((event) => event.type === 'progress')).toBe(true);

    // The rerun goes through a proxy that counts what reaches the server.
    const proxy = await startCountingProxy(Number(new URL(server.url).port));
    const rerunClient = new FlickrClient({ ...client.options, baseUrl: proxy.url });
    const again: UploadManyEvent[] = [];
    const rerun = await rerunClient.uploads.uploadMany(files.slice(0, 9), {
      onProgress: (event) => again.push(event),
    });
    const sizes = await Promise.all(files.slice(0, 8).map(async (f) => (await readFile(f)).length));
    await rerunClient.close();
    await proxy.close();
    expect(rerun.every((entry) => entry.status === 'skipped')).toBe(true);
    expect(again.filter((event) => event.type === 'progress')).toEqual([]);
    // Only the limits and hash-check requests crossed the wire: less than the smallest photo.
    expect(proxy.sent).toBeGreaterThan(0);
    expect(proxy.sent).toBeLessThan(Math.min(...sizes, 8 * 1024));
    const checked = again.flatMap((event) => (event.type === 'checked' ? [event] : []));
    expect(checked.reduce((sum, event) => sum + event.existing, 0)).toBe(8);
    expect(checked.reduce((sum, event) => sum + event.missing, 0)).toBe(0);
  });

  it('waits for photos to be ready and pages through them', async () => {
    const listed = await client.photos.list(client.username, { limit: 3 }).toArray();
    expect(listed).toHaveLength(8);
    const ready = await client.photos.waitUntilReadyMany(listed.map((p) => p.id));
    expect(
      ready.every((entry) => entry.status === 'ready' && entry.photo.renditions.length === 1),
    ).toBe(true);
    const pages = [];
    for await (const page of client.photos.list(client.username, { limit: 3 }).pages())
      pages.push(page.items.length);
    expect(pages).toEqual([3, 3, 2]);
  });

  it('downloads everything, then transfers nothing the second time', async () => {
    const first = await client.photos.downloadMany(client.username, { dir: out });
    expect(first.map((entry) => entry.status)).toEqual(Array(8).fill('downloaded'));
    const names = (await readdir(out)).sort();
    expect(names.filter((name) => name.endsWith('.jpg'))).toHaveLength(8);
    expect(names.filter((name) => name.endsWith('.jpg.json'))).toHaveLength(8);
    for (const file of files.slice(0, 8)) {
      const name = file.split('/').at(-1) as string;
      expect(await readFile(join(out, name))).toEqual(await readFile(file));
    }
    const sidecar = JSON.parse(await readFile(join(out, 'IMG_3.jpg.json'), 'utf8'));
    expect(sidecar).toMatchObject({ originalName: 'IMG_3.jpg', visibility: 'private', tags: [] });

    const second = await client.photos.downloadMany(client.username, { dir: out });
    expect(second.every((entry) => entry.status === 'skipped' && entry.transferred === 0)).toBe(
      true,
    );

    const thumbnails = await client.photos.downloadMany(client.username, {
      dir: out,
      resolution: 'thumbnail',
      sidecars: false,
    });
    expect(thumbnails.every((entry) => entry.status === 'downloaded')).toBe(true);
    expect((await readdir(out)).filter((name) => name.endsWith('.thumbnail.jpg'))).toHaveLength(8);
  });

  it('resumes a partial download from the CDN tier with a Range request', async () => {
    const [latest] = await client.photos.list(client.username, { limit: 1 }).toArray();
    const to = join(out, 'resumed.jpg');
    const original = await readFile(join(out, latest?.originalName as string));
    const half = Math.floor(original.length / 2);
    await writeFile(`${to}.partial`, original.subarray(0, half));
    const result = await client.photos.download(latest?.id as string, { to });
    expect(result).toMatchObject({ skipped: false, transferred: original.length - half });
    expect(await readFile(to)).toEqual(original);
    await rm(to);
  });

  it('never overwrites a different file of the same name', async () => {
    const target = join(out, 'IMG_5.jpg');
    await writeFile(target, 'my own notes, not the photo');
    await rm(`${target}.json`);
    const report = await client.photos.downloadMany(client.username, { dir: out });
    const entry = report.find((e) => e.path?.includes('IMG_5'));
    expect(entry?.path).toBe(join(out, 'IMG_5 (2).jpg'));
    expect(await readFile(target, 'utf8')).toBe('my own notes, not the photo');
  });

  it('shares with another user, who sees and downloads; revoking stops it', async () => {
    const viewer = await server.client();
    try {
      const [first] = await client.photos.list(client.username, { limit: 1 }).toArray();
      await expect(viewer.photos.get(first?.id as string)).rejects.toBeInstanceOf(NotFoundError);
      await client.shares.grant(viewer.username);
      expect((await viewer.shares.listToMe()).map((g) => g.sharer.username)).toEqual([
        client.username,
      ]);
      expect((await viewer.photos.list(client.username).toArray()).length).toBe(8);
      const dir = await mkdtemp(join(tmpdir(), 'sdk-viewer-'));
      await viewer.photos.download(first?.id as string, {
        to: join(dir, 'shared.jpg'),
        resolution: 'thumbnail',
      });
      await client.shares.revoke(viewer.username);
      await expect(viewer.photos.get(first?.id as string)).rejects.toBeInstanceOf(NotFoundError);
      await rm(dir, { recursive: true, force: true });
    } finally {
      await viewer.close();
    }
  });

  it('raises typed errors for what the server refuses', async () => {
    const readOnly = await client.tokens.create({ name: 'ro', scopes: ['read'] });
    const limited = client.withToken(readOnly.token);
    try {
      const error = await limited.albums.create('nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({
        status: 403,
        code: 'insufficient_scope',
        requestId: expect.any(String),
      });
    } finally {
      await limited.close();
    }
  });
});
