import {
  ACCOUNT_EXPORT_FORMAT,
  type AccountExport,
  type ExportedPhoto,
} from '@flickr-kit/sdk/contract';
import type { AlbumRecord, Keyset, MetadataStore, PhotoRecord } from '../ports/metadata-store.ts';
import { nowIso } from './ids.ts';
import { locationOf } from './photo-view.ts';
import type { Principal } from './principal.ts';

/** Rows read and written at a time: what the export holds in memory, whatever the account's size. */
const BATCH = 500;

/** The head of the document: what is small enough to read whole (one user's albums, shares). */
type Head = Pick<
  AccountExport,
  'format' | 'exportedAt' | 'profile' | 'settings' | 'albums' | 'sharesGranted' | 'sharesReceived'
>;

/**
 * A list read by keyset a batch at a time. `read` answers up to `BATCH` + 1
 * rows after a key (the repositories' convention: one more says more follow).
 */
async function* batches<T>(
  read: (keyset: Keyset) => Promise<T[]>,
  key: (row: T) => string,
): AsyncGenerator<T[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await read({ after, limit: BATCH });
    const batch = rows.slice(0, BATCH);
    if (batch.length > 0) yield batch;
    const last = batch.at(-1);
    if (rows.length <= BATCH || !last) return;
    after = key(last);
  }
}

/** `,"name":[…]`, written a batch at a time. */
async function* jsonArray<T>(
  name: keyof AccountExport,
  rows: AsyncIterable<T[]>,
  shape: (batch: T[]) => unknown[] | Promise<unknown[]>,
): AsyncGenerator<string> {
  yield `,${JSON.stringify(name)}:[`;
  let first = true;
  for await (const batch of rows) {
    const items = (await shape(batch)).map((item) => JSON.stringify(item)).join(',');
    yield first ? items : `,${items}`;
    first = false;
  }
  yield ']';
}

const exportedPhoto = (photo: PhotoRecord, album: AlbumRecord | undefined): ExportedPhoto => ({
  id: photo.id,
  sha256: photo.sha256,
  originalName: photo.originalName,
  bytes: photo.bytes,
  title: photo.title,
  description: photo.description,
  tags: photo.tags,
  album: album ? { id: album.id, name: album.name } : null,
  visibility: photo.visibility,
  commentsEnabled: photo.commentsEnabled,
  status: photo.status,
  format: photo.format,
  width: photo.width,
  height: photo.height,
  capturedAt: photo.capturedAt,
  camera: photo.camera,
  location: locationOf(photo),
  createdAt: photo.createdAt,
  updatedAt: photo.updatedAt,
});

/**
 * The caller's data as one JSON document (`AccountExport` in the contract),
 * produced as text a batch at a time: a 100,000-photo account is 200 reads
 * of 500 photos, and never one string. Each list pages by keyset, so rows
 * added or deleted while the export runs cannot shift a page: what existed
 * throughout is exported exactly once.
 */
export class AccountExporter {
  readonly #store: MetadataStore;

  constructor(store: MetadataStore) {
    this.#store = store;
  }

  /**
   * The document's text. Its head (profile, settings, albums, shares) is
   * read before this resolves, so a failure to read it is still an error
   * the caller can answer with; the lists are read as the text is consumed.
   */
  async document(principal: Principal): Promise<AsyncIterable<string>> {
    return this.#text(await this.#head(principal), principal.user.id);
  }

  async *#text(head: Head, userId: string): AsyncGenerator<string> {
    const store = this.#store;
    // Without its closing brace: the lists follow.
    yield JSON.stringify(head).slice(0, -1);
    yield* jsonArray(
      'photos',
      batches(
        (keyset) =>
          store.photos.list({ ownerId: userId, readyOnly: false, publicOnly: false }, keyset),
        (photo) => photo.id,
      ),
      async (photos) => {
        const albumIds = [...new Set(photos.flatMap((photo) => photo.albumId ?? []))];
        const albums = new Map((await store.albums.byIds(albumIds)).map((a) => [a.id, a]));
        return photos.map((photo) =>
          exportedPhoto(photo, photo.albumId ? albums.get(photo.albumId) : undefined),
        );
      },
    );
    yield* jsonArray(
      'comments',
      batches(
        (keyset) => store.comments.byAuthor(userId, keyset.after, keyset.limit + 1),
        (comment) => comment.id,
      ),
      (comments) =>
        comments.map(({ id, photoId, text, createdAt, editedAt }) => ({
          id,
          photoId,
          text,
          createdAt,
          editedAt,
        })),
    );
    yield* jsonArray(
      'favorites',
      // Those of photos the user may still see, as their favorites list shows them.
      batches(
        (keyset) => store.favorites.list({ userId, isAdmin: false }, keyset),
        (favorite) => favorite.id,
      ),
      (favorites) =>
        favorites.map(({ photo, favoritedAt }) => ({ photoId: photo.id, favoritedAt })),
    );
    for (const side of ['followers', 'following'] as const) {
      yield* jsonArray(
        side,
        batches(
          (keyset) => store.follows.list(side, userId, keyset),
          (follow) => follow.id,
        ),
        (follows) =>
          follows.map((follow) => ({
            user: side === 'followers' ? follow.follower : follow.followee,
            since: follow.createdAt,
          })),
      );
    }
    yield '}';
  }

  async #head(principal: Principal): Promise<Head> {
    const store = this.#store;
    const userId = principal.user.id;
    // Read afresh: the principal's record may be older than the last change.
    const [user, settings, albums, granted, received] = await Promise.all([
      store.users.byId(userId),
      store.settings.get(userId),
      store.albums.listForOwner(userId),
      store.grants.bySharer(userId),
      store.grants.byViewer(userId),
    ]);
    const { username, createdAt, profileVisibility } = user ?? principal.user;
    return {
      format: ACCOUNT_EXPORT_FORMAT,
      exportedAt: nowIso(),
      profile: { id: userId, username, createdAt, visibility: profileVisibility },
      settings,
      albums: albums.map(({ id, name, createdAt }) => ({ id, name, createdAt })),
      sharesGranted: granted,
      sharesReceived: received,
    };
  }
}
