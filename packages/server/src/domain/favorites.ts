import type { Favorite, FavoriteState, Page, Photo } from '@flickr-kit/sdk/contract';
import type { FavoriteRecord, MetadataStore, SeenBy } from '../ports/metadata-store.ts';
import type { Doorbell } from '../support/doorbell.ts';
import { viewerOf, visiblePhoto } from './access.ts';
import type { CursorCodec } from './cursor.ts';
import { nowIso, uuidv7 } from './ids.ts';
import { keysetPage, type PageRequest } from './keyset-page.ts';
import { notify } from './notifications.ts';
import type { PhotoService } from './photos.ts';
import { lockCallerAccount, type Principal } from './principal.ts';

/**
 * Favorites: a user's list of photos, and each photo's count of them. Adding
 * and removing are idempotent, whoever wins a race: the (user, photo) key
 * decides, and the count moves only with a row actually added or removed.
 */
export class FavoriteService {
  readonly #store: MetadataStore;
  readonly #wakeup: Doorbell;
  readonly #cursors: CursorCodec;
  readonly #photos: PhotoService;

  constructor(store: MetadataStore, cursors: CursorCodec, photos: PhotoService, wakeup: Doorbell) {
    this.#store = store;
    this.#cursors = cursors;
    this.#photos = photos;
    this.#wakeup = wakeup;
  }

  /** Adds a photo the caller may see; adding it again changes nothing. */
  async add(principal: Principal, photoId: string): Promise<FavoriteState> {
    const { photo } = await visiblePhoto(this.#store, viewerOf(principal), photoId);
    const userId = principal.user.id;
    const state = await this.#store.transaction(async (tx) => {
      // Also orders this count change after a deletion's, which uncounts all of the user's favorites.
      await lockCallerAccount(tx, principal);
      const at = nowIso();
      const added = await tx.favorites.add({ id: uuidv7(), userId, photoId, createdAt: at });
      // Only a favorite really added tells the owner; once per user and photo, ever.
      if (added) {
        await notify(tx, {
          recipientId: photo.ownerId,
          kind: 'photo_favorited',
          actorId: userId,
          photoId,
          subject: `${photoId}:${userId}`,
        });
      }
      return this.#state(tx, photoId, true);
    });
    this.#wakeup.ring();
    return state;
  }

  /**
   * Removes a photo the caller may see; removing it again changes nothing. A
   * favorite of a photo the caller may no longer see stays, unlisted and
   * unreachable, and is back if the photo is shown to them again.
   */
  async remove(principal: Principal, photoId: string): Promise<FavoriteState> {
    await visiblePhoto(this.#store, viewerOf(principal), photoId);
    return this.#store.transaction(async (tx) => {
      await lockCallerAccount(tx, principal);
      await tx.favorites.remove(principal.user.id, photoId);
      return this.#state(tx, photoId, false);
    });
  }

  async #state(
    tx: Pick<MetadataStore, 'photos'>,
    photoId: string,
    favorited: boolean,
  ): Promise<FavoriteState> {
    const photo = await tx.photos.byId(photoId);
    return { photoId, favorited, favoriteCount: photo?.favoriteCount ?? 0 };
  }

  /**
   * The caller's favorites, the most recently added first, each photo as
   * the caller may see it now: photos they may no longer see are left out.
   */
  async list(principal: Principal, page: PageRequest): Promise<Page<Favorite>> {
    const viewer = viewerOf(principal);
    const seenBy: SeenBy = { userId: principal.user.id, isAdmin: viewer.isAdmin };
    return keysetPage<FavoriteRecord, Favorite>(
      this.#cursors,
      page,
      {
        key: (favorite) => favorite.id,
        rows: (keyset) => this.#store.favorites.list(seenBy, keyset),
        beyond: (id, towards) =>
          this.#store.favorites.existsBeyond(seenBy, id, towards === 'start' ? 'newer' : 'older'),
      },
      async (favorites) => {
        const photos = await this.#photos.views(
          favorites.map((favorite) => favorite.photo),
          viewer,
        );
        return favorites.map((favorite, i) => ({
          favoritedAt: favorite.favoritedAt,
          photo: photos[i] as Photo,
        }));
      },
    );
  }
}
