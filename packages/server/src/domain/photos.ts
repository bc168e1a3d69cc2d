import type { Photo } from '@flickr-kit/sdk/contract';
import type { EventBus } from '../ports/event-bus.ts';
import type { MetadataStore, PhotoRecord } from '../ports/metadata-store.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso } from './ids.ts';
import { toPhoto } from './photo-view.ts';
import { hasScope, type Principal } from './principal.ts';

/** Reading photos, and the administrator's retry of failed ones. */
export class PhotoService {
  readonly #store: MetadataStore;
  readonly #bus: EventBus;

  constructor(store: MetadataStore, bus: EventBus) {
    this.#store = store;
    this.#bus = bus;
  }

  /** A photo the caller may see: theirs, public, or any as an administrator. Anything else is 404. */
  async get(principal: Principal | undefined, id: string): Promise<Photo> {
    const photo = await this.#store.photos.byId(id);
    if (!photo || !canSee(principal, photo)) throw notFound('Photo');
    return this.#view(photo);
  }

  async #view(photo: PhotoRecord): Promise<Photo> {
    const album = photo.albumId ? await this.#store.albums.byId(photo.albumId) : undefined;
    return toPhoto(photo, album, await this.#store.photos.renditions(photo.id));
  }

  /** Sends a failed photo through the saga again, from the step that was parked. */
  async retry(id: string): Promise<Photo> {
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
    return this.#view({ ...photo, status: 'processing', statusReason: null, updatedAt: now });
  }
}

function canSee(principal: Principal | undefined, photo: PhotoRecord): boolean {
  if (photo.deletedAt) return false;
  if (principal && (principal.user.id === photo.ownerId || hasScope(principal, 'admin')))
    return true;
  return photo.visibility === 'public' && photo.status === 'ready';
}
