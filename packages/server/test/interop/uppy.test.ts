// Uppy (@uppy/core and @uppy/tus, v6) in Node, as a page would use it: a
// file added the way its Dashboard adds one, uploaded with the Tus plugin's
// defaults and Uppy's own metadata, against the real server binary; then
// the server killed mid-upload, and Uppy left to its own retries.
import { TUS_PATH } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noisePng } from '../generated-images.ts';
import { registerUser } from '../harness.ts';
import { headUpload } from '../tus-protocol.ts';
import { sha256, testPhoto } from '../uploads.ts';
import { blobFileReader } from './blob-file-reader.ts';
import {
  type ClientSession,
  expectResumedOnce,
  killMidUpload,
  sentRequest,
} from './kill-mid-upload.ts';
import { type KillableServer, startKillableServer } from './killable-server.ts';
import { photoIdsOf, readyPhoto } from './owner-photos.ts';
import { loadUppy } from './uppy-in-node.ts';

const { Uppy, Tus } = await loadUppy();

/** What Uppy reported for its file, and the metadata it sent with the upload. */
interface Uploaded {
  uploadUrl: string;
  metadata: Record<string, string>;
}

const decodeMetadata = (header: string | undefined) =>
  Object.fromEntries(
    (header ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [key, value = ''] = pair.split(' ');
        return [key, Buffer.from(value, 'base64').toString('utf8')];
      }),
  );

/** A `File`, as a page has from an `<input type=file>` (a copy: a Buffer may share its memory). */
const fileOf = (data: Buffer, name: string, type: string) =>
  new File([new Uint8Array(data)], name, { type });

/**
 * Adds `file` to a new Uppy as its Dashboard does (with `relativePath`,
 * null for a file not picked from a folder) and uploads it with the Tus
 * plugin's defaults: only the endpoint, the token and the Node shim are set.
 */
function uppyUpload(baseUrl: string, token: string, file: File): ClientSession<Uploaded> {
  const requests: ClientSession<Uploaded>['requests'] = [];
  let metadata: Record<string, string> = {};
  const uppy = new Uppy().use(Tus, {
    endpoint: `${baseUrl}${TUS_PATH}/`,
    headers: { authorization: `Bearer ${token}` },
    fileReader: blobFileReader,
    onBeforeRequest: (request) => {
      requests.push(sentRequest(request));
      if (request.getMethod() === 'POST')
        metadata = decodeMetadata(request.getHeader('Upload-Metadata'));
    },
  });
  uppy.addFile({
    source: 'Dashboard',
    name: file.name,
    type: file.type,
    data: file,
    meta: { relativePath: null },
  });
  const finished = uppy.upload().then((result) => {
    const failed = result?.failed?.[0];
    if (failed) throw new Error(`Uppy failed to upload: ${failed.error}`);
    const uploadUrl = result?.successful?.[0]?.response?.uploadURL;
    if (!uploadUrl) throw new Error('Uppy reported no upload URL');
    return { uploadUrl, metadata };
  });
  return { requests, finished };
}

describe('Uppy (@uppy/core + @uppy/tus v6) in Node against the server binary', () => {
  let server: KillableServer;

  beforeAll(async () => {
    server = await startKillableServer();
  });
  afterAll(() => server?.destroy());

  /** The photo a finished upload became, as HEAD on its URL says. */
  const photoOf = async (uploadUrl: string, token: string) => {
    const head = await headUpload(new URL(new URL(uploadUrl).pathname, server.url).href, token);
    expect(head.status).toBe(200);
    return head.response.headers.get('flickr-photo-id') as string;
  };

  it('uploads a file with its defaults and its own metadata; the photo is named after the file', async () => {
    const owner = await registerUser(server.url);
    const data = await testPhoto(9101, 1600, 1200);
    const file = fileOf(data, 'Plage à l’aube.jpg', 'image/jpeg');
    const session = uppyUpload(server.url, owner.token, file);
    const { uploadUrl, metadata } = await session.finished;

    expect(session.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(metadata).toEqual({
      relativePath: 'null',
      name: 'Plage à l’aube.jpg',
      type: 'image/jpeg',
      filetype: 'image/jpeg',
      filename: 'Plage à l’aube.jpg',
    });
    const photo = await readyPhoto(server.url, owner, await photoOf(uploadUrl, owner.token));
    expect(photo).toMatchObject({
      originalName: 'Plage à l’aube.jpg',
      format: 'jpeg',
      sha256: sha256(data),
      width: 1600,
    });
    expect(await photoIdsOf(server.url, owner)).toEqual([photo.id]);
  });

  it('resumes from the offset the server kept after a SIGKILL and restart, through its own retries', async () => {
    const owner = await registerUser(server.url);
    const data = await noisePng(1700, 1650);
    const file = fileOf(data, 'noise.png', 'image/png');
    const run = await killMidUpload(server, (baseUrl) => uppyUpload(baseUrl, owner.token, file), {
      connections: 1,
      bytesEach: Math.floor(data.length / 2),
    });
    expectResumedOnce(run, data.length);

    const photo = await readyPhoto(
      server.url,
      owner,
      await photoOf(run.done.uploadUrl, owner.token),
    );
    expect(photo).toMatchObject({ originalName: 'noise.png', sha256: sha256(data) });
    expect(await photoIdsOf(server.url, owner)).toEqual([photo.id]);
  });
});
