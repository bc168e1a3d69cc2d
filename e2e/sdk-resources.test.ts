import {
  AuthenticationError,
  CommentsDisabledError,
  type FlickrClient,
  NotFoundError,
} from '@flickr-kit/sdk';
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

  it('comments on a photo, pages the conversation both ways, edits and deletes', async () => {
    const uploaded = await client.uploads.uploadFile(await photo(306), { visibility: 'public' });
    // Others see it, and so may comment on it, once it is ready.
    const shown = await client.photos.waitUntilReady(uploaded.photo.id);
    const reader = await server.client();
    for (const text of ['one', 'two', 'three']) await reader.comments.add(shown.id, text);
    const oldest = await client.comments.list(shown.id, { limit: 2 }).toArray();
    expect(oldest.map((c) => c.text)).toEqual(['one', 'two', 'three']);
    const newest = await client.comments.list(shown.id, { order: 'newest' }).first();
    expect(newest.items.map((c) => c.text)).toEqual(['three', 'two', 'one']);

    const edited = await reader.comments.edit(oldest[0]?.id as string, 'uno');
    expect(edited).toMatchObject({ text: 'uno', author: { username: reader.username } });
    expect(edited.editedAt).not.toBeNull();
    // The owner removes a comment that is not theirs, then turns comments off.
    await client.comments.delete(oldest[1]?.id as string);
    await client.photos.update(shown.id, { commentsEnabled: false });
    await expect(reader.comments.add(shown.id, 'four')).rejects.toBeInstanceOf(
      CommentsDisabledError,
    );
    expect((await reader.comments.list(shown.id).toArray()).map((c) => c.text)).toEqual([
      'uno',
      'three',
    ]);
    await reader.close();
  });

  it('favorites photos, counts them on the photo, and lists the caller’s favorites', async () => {
    const fan = await server.client();
    const uploaded = [];
    for (const seed of [307, 308]) {
      const { photo: sent } = await client.uploads.uploadFile(await photo(seed), {
        visibility: 'public',
      });
      uploaded.push(await client.photos.waitUntilReady(sent.id));
    }
    const [first, second] = uploaded as [(typeof uploaded)[number], (typeof uploaded)[number]];
    expect(await fan.favorites.add(first.id)).toEqual({
      photoId: first.id,
      favorited: true,
      favoriteCount: 1,
    });
    await fan.favorites.add(first.id);
    await fan.favorites.add(second.id);
    expect(await fan.photos.get(first.id)).toMatchObject({ favorited: true, favoriteCount: 1 });
    expect(await client.photos.get(first.id)).toMatchObject({ favorited: false, favoriteCount: 1 });
    const listed = await fan.favorites.list({ limit: 1 }).toArray();
    expect(listed.map((f) => f.photo.id)).toEqual([second.id, first.id]);
    expect((await fan.favorites.remove(first.id)).favoriteCount).toBe(0);
    expect((await fan.favorites.list().toArray()).map((f) => f.photo.id)).toEqual([second.id]);

    // An account setting decides whether new uploads take comments.
    expect(await client.settings.update({ commentsEnabledByDefault: false })).toEqual({
      commentsEnabledByDefault: false,
      locationVisibilityDefault: 'shared',
    });
    const quiet = await client.uploads.uploadFile(await photo(309));
    expect(quiet.photo.commentsEnabled).toBe(false);
    await client.settings.update({ commentsEnabledByDefault: true });
    await fan.close();
  });
});
