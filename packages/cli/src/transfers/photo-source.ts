import type { Album, FlickrClient, Photo } from '@flickr-kit/sdk';
import type { CliContext } from '../context.ts';
import { CliError } from '../exit-codes.ts';

/** An album of a user by id or by name; a clear error when there is none. */
export async function findAlbum(
  context: CliContext,
  client: FlickrClient,
  username: string,
  nameOrId: string,
): Promise<Album> {
  const albums = await client.albums.list(username, { signal: context.signal });
  const album = albums.find((a) => a.id === nameOrId) ?? albums.find((a) => a.name === nameOrId);
  if (!album) throw new CliError(`${username} has no album named ${JSON.stringify(nameOrId)}`);
  return album;
}

/** The photos a download or pull works through: a user's, or one album's, newest first. */
export async function photoSource(
  context: CliContext,
  client: FlickrClient,
  options: { user?: string; album?: string },
): Promise<{ username: string; photos: AsyncIterable<Photo> }> {
  const username = options.user ?? (await context.me(client));
  const requestOptions = { signal: context.signal };
  if (!options.album) return { username, photos: client.photos.list(username, {}, requestOptions) };
  const album = await findAlbum(context, client, username, options.album);
  return { username, photos: client.albums.photos(album.id, {}, requestOptions) };
}
