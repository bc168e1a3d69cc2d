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
import { type ListQuery, pageQuery, startCursor } from './photo-listing.ts';

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

  /** The album's photos the caller may see, newest first, fetched page by page; `status` filters them. */
  photos(id: string, query: ListQuery = {}, options?: RequestOptions): PageIterator<Photo> {
    return new PageIterator(
      (cursor) =>
        this.#transport.call(
          listAlbumPhotos,
          { params: { id }, query: pageQuery(query, cursor) },
          options,
        ),
      startCursor(query),
    );
  }
}
