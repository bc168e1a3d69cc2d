import type {
  Location,
  LocationVisibility,
  Page,
  Photo,
  PhotoStatus,
} from '@flickr-kit/sdk/contract';
import type { Cache } from '../ports/cache.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { MetadataStore, PhotoFilter, PhotoRecord } from '../ports/metadata-store.ts';
import { relationship, type Viewer, viewerOf, visibleFilter, visiblePhoto } from './access.ts';
import type { CursorCodec } from './cursor.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso } from './ids.ts';
import { type PageRequest as KeysetPageRequest, keysetPage } from './keyset-page.ts';
import { locationViews } from './location-views.ts';
import { type LocationView, toPhoto } from './photo-view.ts';
import type { Principal } from './principal.ts';
import type { UrlSigner } from './url-signer.ts';

export interface PhotoChanges {
  title?: string | undefined;
  description?: string | undefined;
  tags?: string[] | undefined;
  visibility?: 'public' | 'private' | undefined;
  commentsEnabled?: boolean | undefined;
  albumId?: string | null | undefined;
  /** null clears it. */
  location?: Location | null | undefined;
  /** null follows the owner's default. */
  locationVisibility?: LocationVisibility | null | undefined;
}

export interface PageRequest extends KeysetPageRequest {
  /** Only photos with this status; viewers who see only ready photos get none of another. */
  status?: PhotoStatus | undefined;
}

/** The key under which the CDN tier caches what it knows of a photo's access; cleared on every change. */
export const photoAccessKey = (photoId: string) => `access:photo:${photoId}`;

/** Reading, editing, deleting and listing photos, under the access rules. */
export class PhotoService {
  readonly #store: MetadataStore;
  readonly #bus: EventBus;
  readonly #cache: Cache;
  readonly #signer: UrlSigner;
  readonly #cursors: CursorCodec;

  constructor(
    store: MetadataStore,
    bus: EventBus,
    cache: Cache,
    signer: UrlSigner,
    cursors: CursorCodec,
  ) {
    this.#store = store;
    this.#bus = bus;
    this.#cache = cache;
    this.#signer = signer;
    this.#cursors = cursors;
  }

  /** A photo the caller may see; anything else is 404, exactly as if it did not exist. */
  async get(principal: Principal | undefined, id: string): Promise<Photo> {
    const viewer = viewerOf(principal);
    const photo = await this.#visible(viewer, id);
    return (await this.views([photo], viewer))[0] as Photo;
  }

  async #visible(viewer: Viewer, id: string): Promise<PhotoRecord> {
    return (await visiblePhoto(this.#store, viewer, id)).photo;
  }

  /** The owner's photo, for changes; a photo the caller may see but not change is 403. */
  async #owned(principal: Principal, id: string): Promise<PhotoRecord> {
    const photo = await this.#visible(viewerOf(principal), id);
    if (photo.ownerId !== principal.user.id && !viewerOf(principal).isAdmin) {
      throw new DomainError('forbidden', 'Only the owner can change this photo');
    }
    return photo;
  }

  /** The API view of a photo for a user (URLs signed for them), for other services' answers. */
  async view(photo: PhotoRecord, viewerId: string): Promise<Photo> {
    return (await this.views([photo], { userId: viewerId, isAdmin: false }))[0] as Photo;
  }

  /**
   * The API views of photos the viewer may see (a page of a listing), with
   * URLs signed for them: one query for their albums, one for their
   * renditions, one for which the viewer has among their favorites, however
   * many photos. A query per photo made a page of 100 take ~20 ms on PostgreSQL.
   */
  async views(photos: PhotoRecord[], viewer: Viewer): Promise<Photo[]> {
    const expires = this.#signer.expiry();
    const ids = photos.map((photo) => photo.id);
    const albumIds = new Set(photos.flatMap((photo) => (photo.albumId ? [photo.albumId] : [])));
    // One query each, all at once, however many photos and owners the page holds.
    const [albumList, renditions, favorited, owners] = await Promise.all([
      this.#store.albums.byIds([...albumIds]),
      this.#store.photos.renditionsOf(ids),
      viewer.userId
        ? this.#store.favorites.favoritedAmong(viewer.userId, ids)
        : Promise.resolve(new Set<string>()),
      this.#store.users.byIds([...new Set(photos.map((photo) => photo.ownerId))]),
    ]);
    const albums = new Map(albumList.map((album) => [album.id, album]));
    const ownersById = new Map(owners.map((owner) => [owner.id, owner]));
    const privateProfiles = new Set(
      owners.flatMap((owner) => (owner.profileVisibility === 'private' ? [owner.id] : [])),
    );
    const locations = await locationViews(this.#store, viewer, photos, ownersById);
    const copies = await this.#store.originalScrubs.digests(
      photos.filter((photo) => !locations.get(photo.id)?.originalGps).map((photo) => photo.id),
    );
    return photos.map((photo) =>
      toPhoto(
        photo,
        photo.albumId ? albums.get(photo.albumId) : undefined,
        renditions.get(photo.id) ?? [],
        { signer: this.#signer, viewerId: viewer.userId, expires, privateProfiles },
        favorited.has(photo.id),
        {
          ...(locations.get(photo.id) as LocationView),
          copySha256: copies.get(photo.id),
        },
      ),
    );
  }

  async update(principal: Principal, id: string, changes: PhotoChanges): Promise<Photo> {
    const photo = await this.#owned(principal, id);
    if (changes.albumId) {
      const album = await this.#store.albums.byId(changes.albumId);
      if (!album || album.ownerId !== photo.ownerId) throw notFound('Album');
    }
    // Only the columns asked for: a concurrent edit of other fields is kept,
    // whichever request commits last.
    const { location, ...rest } = changes;
    await this.#store.photos.update(id, {
      ...(Object.fromEntries(
        Object.entries(rest).filter(([, value]) => value !== undefined),
      ) as Omit<PhotoChanges, 'location'>),
      ...(location === undefined
        ? {}
        : {
            latitude: location?.latitude ?? null,
            longitude: location?.longitude ?? null,
            locationEdited: true,
          }),
      updatedAt: nowIso(),
    });
    await this.#cache.delete(photoAccessKey(id));
    // Read back: the answer shows the photo as stored, with whatever a concurrent edit changed.
    const updated = await this.#store.photos.byId(id);
    if (!updated) throw notFound('Photo');
    return (await this.views([updated], viewerOf(principal)))[0] as Photo;
  }

  /** Unreachable at once, through the API and the CDN tier; the purge job removes the files later. */
  async delete(principal: Principal, id: string): Promise<void> {
    await this.#owned(principal, id);
    const now = nowIso();
    await this.#store.photos.update(id, { deletedAt: now, updatedAt: now });
    await this.#cache.delete(photoAccessKey(id));
  }

  async listForUser(
    principal: Principal | undefined,
    username: string,
    page: PageRequest,
  ): Promise<Page<Photo>> {
    const owner = await this.#store.users.byUsername(username);
    if (!owner) throw notFound('User');
    return this.#list(viewerOf(principal), { ownerId: owner.id }, owner.id, page);
  }

  async listForAlbum(
    principal: Principal | undefined,
    albumId: string,
    page: PageRequest,
  ): Promise<Page<Photo>> {
    const album = await this.#store.albums.byId(albumId);
    if (!album) throw notFound('Album');
    return this.#list(viewerOf(principal), { albumId }, album.ownerId, page);
  }

  async #list(
    viewer: Viewer,
    scope: Pick<PhotoFilter, 'ownerId' | 'albumId'>,
    ownerId: string,
    page: PageRequest,
  ): Promise<Page<Photo>> {
    const relation = await relationship(this.#store, viewer, ownerId);
    const filter: PhotoFilter = {
      ...scope,
      ...visibleFilter(relation),
      ...(page.status ? { status: page.status } : {}),
    };
    if (relation === 'barred') return { items: [], nextCursor: null, prevCursor: null };
    // Newest first: the list starts at the newest photo.
    return keysetPage<PhotoRecord, Photo>(
      this.#cursors,
      page,
      {
        key: (photo) => photo.id,
        rows: (keyset) => this.#store.photos.list(filter, keyset),
        beyond: (id, towards) =>
          this.#store.photos.existsBeyond(filter, id, towards === 'start' ? 'newer' : 'older'),
      },
      (photos) => this.views(photos, viewer),
    );
  }

  /** Sends a failed photo through the saga again, from the step that was parked. */
  async retry(principal: Principal, id: string): Promise<Photo> {
    const photo = await this.#store.photos.byId(id);
    if (!photo || photo.deletedAt) throw notFound('Photo');
    if (photo.status !== 'failed') {
      throw new DomainError(
        'conflict',
        `The photo is ${photo.status}; only failed photos can be retried`,
      );
    }
    const now = nowIso();
    const unparked = await this.#store.transaction(async (tx) => {
      const count = await tx.outbox.unpark(id, now);
      if (count > 0)
        await tx.photos.update(id, { status: 'processing', statusReason: null, updatedAt: now });
      return count;
    });
    if (unparked === 0)
      throw new DomainError('conflict', 'The photo has no parked saga step to retry');
    this.#bus.notify();
    return (
      await this.views(
        [{ ...photo, status: 'processing', statusReason: null, updatedAt: now }],
        viewerOf(principal),
      )
    )[0] as Photo;
  }
}
