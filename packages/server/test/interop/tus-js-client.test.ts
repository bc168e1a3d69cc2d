// tus-js-client as anyone would use it, against the real server binary: its
// default options, no metadata of ours, `parallelUploads`, its own retries
// when the server is killed mid-upload or an answer is lost.
import { TUS_PATH } from '@flickr-kit/sdk/contract';
import * as tus from 'tus-js-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { noisePng } from '../generated-images.ts';
import { registerUser } from '../harness.ts';
import { headUpload } from '../tus-protocol.ts';
import { sha256, testPhoto } from '../uploads.ts';
import {
  type ClientSession,
  expectResumedOnce,
  HEADER_BYTES,
  killMidUpload,
  sentRequest,
  uploadIdOf,
} from './kill-mid-upload.ts';
import { type KillableServer, startKillableServer } from './killable-server.ts';
import { photoIdsOf, readyPhoto } from './owner-photos.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const MiB = 2 ** 20;

type Options = ConstructorParameters<typeof tus.Upload>[1];

/** How a tus-js-client session ended: its last answer, the photo it names, the upload's URL. */
interface Finished {
  status: number;
  photoId: string | null;
  url: string;
}

/** Starts tus-js-client with only an endpoint and a token, and `options` on top. */
function upload(
  baseUrl: string,
  token: string,
  data: Buffer,
  options: Options = {},
): ClientSession<Finished> {
  const requests: ClientSession<Finished>['requests'] = [];
  const finished = new Promise<Finished>((resolve, reject) => {
    const client = new tus.Upload(data, {
      endpoint: `${baseUrl}${TUS_PATH}/`,
      headers: { authorization: `Bearer ${token}` },
      ...options,
      onBeforeRequest: (request) => {
        requests.push(sentRequest(request));
      },
      onSuccess: ({ lastResponse }) =>
        resolve({
          status: lastResponse.getStatus(),
          photoId: lastResponse.getHeader('Flickr-Photo-Id') ?? null,
          url: client.url ?? '',
        }),
      onError: reject,
    });
    client.start();
  });
  return { requests, finished };
}

describe('tus-js-client (v4) against the server binary', () => {
  let server: KillableServer;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    // The default policy: one transfer at a time per user. parallelUploads: 4 sends four
    // PATCHes at once, and tus-js-client does not retry a 429: the others wait their turn.
    server = await startKillableServer();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(() => server?.destroy());

  it('uploads with its default options and no metadata: 204, a ready photo, and the same photo again for the same bytes', async () => {
    const owner = await registerUser(server.url);
    const data = await testPhoto(9001, 1600, 1200);
    const first = upload(server.url, owner.token, data);
    const done = await first.finished;
    expect(first.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(done.status).toBe(204);
    expect(done.photoId).toMatch(/^[0-9a-f-]{36}$/);
    const photo = await readyPhoto(server.url, owner, done.photoId as string);
    expect(photo).toMatchObject({
      sha256: sha256(data),
      bytes: data.length,
      format: 'jpeg',
      originalName: `${uploadIdOf(done.url)}.jpg`,
    });

    // The same bytes again, as a new upload: the server dedups on the hash it computed.
    const again = await upload(server.url, owner.token, data).finished;
    expect(again.url).not.toBe(done.url);
    expect(again).toMatchObject({ status: 204, photoId: photo.id });
    const head = await headUpload(again.url, owner.token);
    expect(head).toMatchObject({ status: 200, offset: data.length, length: data.length });
    expect(head.response.headers.get('flickr-photo-id')).toBe(photo.id);
    expect(await photoIdsOf(server.url, owner)).toEqual([photo.id]);
  });

  it('uploads a 100 MiB file as 4 parallel partial uploads and one final concatenation', async () => {
    const owner = await registerUser(server.url);
    // An uncompressed noise PNG: 6,000 × 5,830 pixels (35 MP, under the default pixel limit).
    const data = await noisePng(6000, 5830);
    expect(data.length).toBeGreaterThan(100 * MiB);
    const session = upload(server.url, owner.token, data, { parallelUploads: 4 });
    const done = await session.finished;

    // tus-js-client sends `Upload-Concat: partial` with every request of a part.
    const partials = session.requests.filter((r) => r.concat === 'partial');
    expect(partials.map((r) => r.method).sort()).toEqual([
      ...Array(4).fill('PATCH'),
      ...Array(4).fill('POST'),
    ]);
    expect(session.requests.at(-1)).toMatchObject({
      method: 'POST',
      concat: expect.stringMatching(/^final;(\S+ ){3}\S+$/),
    });
    expect(done.status).toBe(201);
    const photo = await readyPhoto(server.url, owner, done.photoId as string);
    expect(photo).toMatchObject({ sha256: sha256(data), bytes: data.length, width: 6000 });
    expect(await photoIdsOf(server.url, owner)).toEqual([photo.id]);
  });

  it('uploads with overridePatchMethod: POSTs with X-HTTP-Method-Override where PATCH cannot go', async () => {
    const owner = await registerUser(server.url);
    const data = await testPhoto(9003, 1600, 1200);
    const session = upload(server.url, owner.token, data, {
      overridePatchMethod: true,
      chunkSize: 64 * 1024,
    });
    const done = await session.finished;
    expect(new Set(session.requests.map((r) => r.method))).toEqual(new Set(['POST']));
    expect(session.requests.length).toBe(1 + Math.ceil(data.length / (64 * 1024)));
    expect(done.status).toBe(204);
    const photo = await readyPhoto(server.url, owner, done.photoId as string);
    expect(photo.sha256).toBe(sha256(data));
  });

  it('hears nothing back from its last PATCH, retries on its own, and finds the photo made once', async () => {
    proxy = await startTcpProxy(server.port);
    const owner = await registerUser(server.url);
    const data = await testPhoto(9002, 1600, 1200);
    const dropped = proxy.dropAnswerOnce((chunk) =>
      chunk.toString('latin1').toLowerCase().includes('flickr-photo-id'),
    );
    const session = upload(proxy.url, owner.token, data);
    const done = await session.finished;
    await dropped;

    // Its retry asks where the upload stands (HEAD): all there, and which photo it became.
    expect(session.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'HEAD']);
    expect(done.status).toBe(200);
    expect(done.photoId).toMatch(/^[0-9a-f-]{36}$/);
    const photo = await readyPhoto(server.url, owner, done.photoId as string);
    expect(photo.sha256).toBe(sha256(data));
    expect(await photoIdsOf(server.url, owner)).toEqual([photo.id]);
  });

  it('resumes from the offset the server kept after a SIGKILL and restart, through its default retries', async () => {
    const owner = await registerUser(server.url);
    const data = await noisePng(1700, 1650);
    const run = await killMidUpload(server, (baseUrl) => upload(baseUrl, owner.token, data), {
      connections: 1,
      bytesEach: Math.floor(data.length / 2),
    });
    expectResumedOnce(run, data.length);

    expect(run.done.status).toBe(204);
    const photo = await readyPhoto(server.url, owner, run.done.photoId as string);
    expect(photo.sha256).toBe(sha256(data));
    expect(await photoIdsOf(server.url, owner)).toEqual([photo.id]);
  });

  it('resumes each partial upload of a parallel upload after a SIGKILL and restart, then concatenates once', async () => {
    // Parts in flight together, to be cut together: a server that lets a user send four at once.
    const parallel = await startKillableServer({ FLICKR_UPLOADS_PER_USER: '4' });
    try {
      const owner = await registerUser(parallel.url);
      const data = await noisePng(2000, 2000);
      const run = await killMidUpload(
        parallel,
        (baseUrl) => upload(baseUrl, owner.token, data, { parallelUploads: 4 }),
        { connections: 4, bytesEach: Math.floor(data.length / 8) },
      );
      // Each part had about half of its bytes on disk.
      expect(run.kept.size).toBe(4);
      for (const bytes of run.kept.values()) {
        expect(bytes).toBeGreaterThan(data.length / 8 - HEADER_BYTES);
        expect(bytes).toBeLessThan(data.length / 4);
      }
      // No part starts again: each asks where it stands and goes on from there.
      const resumed = run.after.filter((r) => r.method === 'PATCH');
      expect(resumed.map((r) => uploadIdOf(r.url)).sort()).toEqual([...run.kept.keys()].sort());
      for (const patch of resumed) {
        const asked = run.after.findIndex((r) => r.method === 'HEAD' && r.url === patch.url);
        expect(asked).toBeGreaterThanOrEqual(0);
        expect(asked).toBeLessThan(run.after.indexOf(patch));
        expect(patch.offset).toBe(run.kept.get(uploadIdOf(patch.url)));
      }
      expect(run.after.filter((r) => r.method === 'POST').map((r) => r.concat)).toEqual([
        expect.stringMatching(/^final;/),
      ]);
      expect(run.bytesAfterRestart).toBeGreaterThanOrEqual(data.length - run.keptInAll);
      expect(run.bytesAfterRestart).toBeLessThan(data.length - run.keptInAll + 4 * HEADER_BYTES);

      expect(run.done.status).toBe(201);
      const photo = await readyPhoto(parallel.url, owner, run.done.photoId as string);
      expect(photo.sha256).toBe(sha256(data));
      expect(await photoIdsOf(parallel.url, owner)).toEqual([photo.id]);
    } finally {
      await parallel.destroy();
    }
  });
});
