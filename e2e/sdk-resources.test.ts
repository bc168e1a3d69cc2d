import { AuthenticationError, type FlickrClient, NotFoundError } from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('the SDK’s resources against a real server', () => {
  let server: RealServer;
  let client: FlickrClient & { username: string };

  beforeAll(async () => {
    server = await startRealServer();
    client = await server.client();
  });
  afterAll(async () => {
    await client.close();
    await server.destroy();
  });

  it('lists and revokes API tokens; a revoked token stops working', async () => {
    const created = await client.tokens.create({ name: 'ci', scopes: ['read'] });
    const listed = await client.tokens.list();
    expect(listed.map((token) => [token.name, token.kind])).toContainEqual(['ci', 'api']);
    const ci = client.withToken(created.token);
    expect((await ci.auth.whoami()).token.scopes).toEqual(['read']);
    await client.tokens.revoke(created.info.id);
    expect((await client.tokens.list()).map((token) => token.id)).not.toContain(created.info.id);
    await expect(ci.auth.whoami()).rejects.toBeInstanceOf(AuthenticationError);
    await ci.close();
  });

  it('creates, lists, renames and deletes albums, and pages through an album’s photos', async () => {
    const album = await client.albums.create('Trips');
    for (const seed of [301, 302, 303])
      await client.uploads.uploadFile(await photo(seed), { album: 'Trips' });
    await client.uploads.uploadFile(await photo(304));

    expect((await client.albums.list(client.username)).map((a) => a.name)).toContain('Trips');
    const renamed = await client.albums.rename(album.id, 'Travels');
    expect(renamed.name).toBe('Travels');
    const pages: number[] = [];
    for await (const page of client.albums.photos(album.id, { limit: 2 }).pages())
      pages.push(page.items.length);
    expect(pages).toEqual([2, 1]);
    const inAlbum = await client.albums.photos(album.id).toArray();
    expect(inAlbum.every((p) => p.album?.name === 'Travels')).toBe(true);

    await client.albums.delete(album.id);
    expect((await client.albums.list(client.username)).map((a) => a.id)).not.toContain(album.id);
    // Its photos move to the default album.
    const moved = await client.photos.get(inAlbum[0]?.id as string);
    expect(moved.album).toBeNull();
  });

  it('updates and deletes a photo', async () => {
    const uploaded = await client.uploads.uploadFile(await photo(305));
    const id = uploaded.photo.id;
    const updated = await client.photos.update(id, {
      title: 'Harbour',
      description: 'Boats at rest',
      tags: ['sea'],
      visibility: 'public',
    });
    expect(updated).toMatchObject({
      title: 'Harbour',
      description: 'Boats at rest',
      tags: ['sea'],
      visibility: 'public',
    });
    expect((await client.photos.get(id)).title).toBe('Harbour');
    await client.photos.delete(id);
    await expect(client.photos.get(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists the grants a user made and received', async () => {
    const viewer = await server.client();
    await client.shares.grant(viewer.username);
    expect((await client.shares.list()).map((g) => g.viewer.username)).toEqual([viewer.username]);
    expect((await viewer.shares.listToMe()).map((g) => g.sharer.username)).toEqual([
      client.username,
    ]);
    expect(await viewer.shares.list()).toEqual([]);
    await client.shares.revoke(viewer.username);
    expect(await client.shares.list()).toEqual([]);
    await viewer.close();
  });
});
