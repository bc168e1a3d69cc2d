// Exporting an account (GET /v1/me/export): one JSON document of the
// contract's AccountExport, holding what the API shows of the account, and
// streamed a batch at a time so that its size is not bounded by memory.
import {
  ACCOUNT_EXPORT_FORMAT,
  AccountExport,
  type Comment,
  type Page,
  type Photo,
} from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, readyPhoto } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { seedPhotos } from './seed.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

describe('account export', () => {
  let server: TestServer;
  let alice: User;
  let bob: User;

  const api = <T = Record<string, unknown>>(
    user: User | undefined,
    method: string,
    path: string,
    body?: unknown,
  ) => callApi<T>(server.url, user, method, path, body);
  const exportOf = async (token: string) => {
    const response = await fetch(`${server.url}/v1/me/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return { response, document: AccountExport.parse(await response.json()) };
  };

  beforeAll(async () => {
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    alice = await registerUser(server.url);
    bob = await registerUser(server.url);
  });
  afterAll(() => server.destroy());

  it('holds what the API shows of the account: profile, settings, albums, photos, social', async () => {
    const photo = await readyPhoto(server.url, alice, 801, {
      album: 'walks',
      visibility: 'public',
    });
    await api(alice, 'PATCH', `/v1/photos/${photo.id}`, {
      title: 'Harbour',
      description: 'at dawn',
      tags: ['sea', 'boats'],
    });
    const gone = await readyPhoto(server.url, alice, 802);
    await api(alice, 'DELETE', `/v1/photos/${gone.id}`);
    const bobsPhoto = await readyPhoto(server.url, bob, 803, { visibility: 'public' });
    const comment = (
      await api<Comment>(alice, 'POST', `/v1/photos/${bobsPhoto.id}/comments`, { text: 'lovely' })
    ).body;
    await api(alice, 'PUT', `/v1/photos/${bobsPhoto.id}/favorite`);
    await api(alice, 'PUT', `/v1/following/${bob.username}`);
    await api(bob, 'PUT', `/v1/following/${alice.username}`);
    await api(alice, 'POST', '/v1/shares', { username: bob.username });
    await api(alice, 'PATCH', '/v1/me/settings', { commentsEnabledByDefault: false });
    // A read-only token is enough: exporting changes nothing.
    const { token } = (
      await api<{ token: string }>(alice, 'POST', '/v1/tokens', {
        name: 'export',
        scopes: ['read'],
      })
    ).body;

    const { response, document } = await exportOf(token);

    expect(response.headers.get('cache-control')).toBe('no-store');
    const shown = (await api<Photo>(alice, 'GET', `/v1/photos/${photo.id}`)).body;
    expect(document).toMatchObject({
      format: ACCOUNT_EXPORT_FORMAT,
      profile: { id: alice.userId, username: alice.username, visibility: 'public' },
      settings: { commentsEnabledByDefault: false },
      albums: [{ id: shown.album?.id, name: 'walks' }],
      sharesGranted: [{ viewer: { username: bob.username } }],
      sharesReceived: [],
      comments: [{ id: comment.id, photoId: bobsPhoto.id, text: 'lovely', editedAt: null }],
      favorites: [{ photoId: bobsPhoto.id }],
      followers: [{ user: { id: bob.userId, username: bob.username } }],
      following: [{ user: { id: bob.userId, username: bob.username } }],
    });
    // The deleted photo is left out; the other is as the API shows it, files aside.
    expect(document.photos).toEqual([
      {
        id: shown.id,
        sha256: shown.sha256,
        originalName: shown.originalName,
        bytes: shown.bytes,
        title: 'Harbour',
        description: 'at dawn',
        tags: ['sea', 'boats'],
        album: shown.album,
        visibility: 'public',
        commentsEnabled: shown.commentsEnabled,
        status: 'ready',
        format: shown.format,
        width: shown.width,
        height: shown.height,
        capturedAt: shown.capturedAt,
        camera: shown.camera,
        location: shown.location,
        createdAt: shown.createdAt,
        updatedAt: shown.updatedAt,
      },
    ]);
  });

  it('streams a large account whole, every photo once and newest first', async () => {
    const owner = await registerUser(server.url);
    // More than two of the export's batches of 500.
    const ids = await seedPhotos(server.services.store, owner.userId, 1234);
    const { response, document } = await exportOf(owner.token);
    // Streamed: no length known in advance.
    expect(response.headers.get('content-length')).toBeNull();
    expect(document.photos.map((photo) => photo.id)).toEqual([...ids].reverse());
    const listed = await api<Page<Photo>>(owner, 'GET', `/v1/users/${owner.username}/photos`);
    expect(document.photos[0]?.id).toBe(listed.body.items[0]?.id);
  });

  it('needs a signed-in caller with the read scope', async () => {
    expect((await api(undefined, 'GET', '/v1/me/export')).status).toBe(401);
    const { token } = (
      await api<{ token: string }>(alice, 'POST', '/v1/tokens', { name: 'w', scopes: ['write'] })
    ).body;
    const refused = await fetch(`${server.url}/v1/me/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'insufficient_scope' });
  });
});
