import {
  createAlbum,
  deleteAlbum,
  listAlbumPhotos,
  listAlbums,
  renameAlbum,
} from '../contract/albums.ts';
import type { Photo } from '../contract/photos.ts';
import { PageIterator } from '../core/pagination.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

export class Albums {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  create(name: string, options?: RequestOptions) {
    return this.#transport.call(createAlbum, { body: { name } }, options);
  }

  async list(username: string, options?: RequestOptions) {
    return (await this.#transport.call(listAlbums, { params: { username } }, options)).items;
  }

  rename(id: string, name: string, options?: RequestOptions) {
    return this.#transport.call(renameAlbum, { params: { id }, body: { name } }, options);
  }

  /** Deletes the album; its photos move to the default album. */
  delete(id: string, options?: RequestOptions) {
    return this.#transport.call(deleteAlbum, { params: { id } }, options);
  }

  /** The album's photos the caller may see, newest first, fetched page by page. */
  photos(
    id: string,
    query: { limit?: number; after?: string; before?: string } = {},
    options?: RequestOptions,
  ): PageIterator<Photo> {
    const limit = query.limit ?? 100;
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          listAlbumPhotos,
          { params: { id }, query: { limit, ...cursor } },
          options,
        ),
      {
        ...(query.after ? { after: query.after } : {}),
        ...(query.before ? { before: query.before } : {}),
      },
    );
  }
}
