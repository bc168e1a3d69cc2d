import type { Album } from '@flickr-kit/sdk/contract';
import type { AlbumRecord, MetadataStore } from '../ports/metadata-store.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso, uuidv7 } from './ids.ts';
import { lockCallerAccount, type Principal } from './principal.ts';

const toAlbum = ({ id, ownerId, name, createdAt }: AlbumRecord): Album => ({
  id,
  ownerId,
  name,
  createdAt,
});

/** Albums: one per name per owner; a photo is in one album, or in the owner's default. */
export class AlbumService {
  readonly #store: MetadataStore;

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  async create(principal: Principal, name: string): Promise<Album> {
    const album: AlbumRecord = {
      id: uuidv7(),
      ownerId: principal.user.id,
      name,
      createdAt: nowIso(),
    };
    await this.#store.transaction(async (tx) => {
      await lockCallerAccount(tx, principal);
      // Thrown inside: on PostgreSQL the failed insert has aborted the transaction, which
      // only a rollback ends.
      if (!(await tx.albums.insert(album)))
        throw new DomainError('conflict', `You already have an album named "${name}"`);
    });
    return toAlbum(album);
  }

  /** A user's albums: their names are not secret, the photos in them are filtered per viewer. */
  async list(username: string): Promise<Album[]> {
    const owner = await this.#store.users.byUsername(username);
    if (!owner) throw notFound('User');
    return (await this.#store.albums.listForOwner(owner.id)).map(toAlbum);
  }

  async #own(principal: Principal, id: string): Promise<AlbumRecord> {
    const album = await this.#store.albums.byId(id);
    if (!album || album.ownerId !== principal.user.id) throw notFound('Album');
    return album;
  }

  async rename(principal: Principal, id: string, name: string): Promise<Album> {
    const album = await this.#own(principal, id);
    if (!(await this.#store.albums.rename(id, name)))
      throw new DomainError('conflict', `You already have an album named "${name}"`);
    return toAlbum({ ...album, name });
  }

  /** Deletes the album, not its photos: they move to the default album. */
  async delete(principal: Principal, id: string): Promise<void> {
    await this.#own(principal, id);
    await this.#store.transaction((tx) => tx.albums.delete(id));
  }
}
