import type { Comment, CommentOrder, Page } from '@flickr-kit/sdk/contract';
import type { CommentRecord, MetadataStore } from '../ports/metadata-store.ts';
import type { Doorbell } from '../support/doorbell.ts';
import { type Viewer, viewerOf, visiblePhoto } from './access.ts';
import type { CursorCodec } from './cursor.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso, uuidv7 } from './ids.ts';
import { keysetPage, type PageRequest } from './keyset-page.ts';
import { notify } from './notifications.ts';
import { lockCallerAccount, type Principal } from './principal.ts';

export interface CommentPageRequest extends PageRequest {
  order: CommentOrder;
}

const toComment = ({ id, photoId, author, text, createdAt, editedAt }: CommentRecord): Comment => ({
  id,
  photoId,
  author,
  text,
  createdAt,
  editedAt,
});

const commentsOff = () =>
  new DomainError(
    'comments_disabled',
    'The photo’s owner has turned comments off: its comments stay readable, but none can be added or changed',
  );

/**
 * Comments on photos. A comment exists for a caller exactly when the photo
 * does (domain/access.ts): a photo the caller may not see, or a deleted
 * one, has no comments to list, edit or delete, and answers 404 like one
 * that never existed.
 */
export class CommentService {
  readonly #store: MetadataStore;
  readonly #wakeup: Doorbell;
  readonly #cursors: CursorCodec;

  constructor(store: MetadataStore, cursors: CursorCodec, wakeup: Doorbell) {
    this.#store = store;
    this.#cursors = cursors;
    this.#wakeup = wakeup;
  }

  async list(
    principal: Principal | undefined,
    photoId: string,
    page: CommentPageRequest,
  ): Promise<Page<Comment>> {
    await visiblePhoto(this.#store, viewerOf(principal), photoId);
    // Ids grow with time: oldest first, the list starts at the oldest comment.
    const start = page.order === 'oldest' ? 'older' : 'newer';
    const end = page.order === 'oldest' ? 'newer' : 'older';
    return keysetPage<CommentRecord, Comment>(
      this.#cursors,
      page,
      {
        key: (comment) => comment.id,
        rows: (keyset) => this.#store.comments.list(photoId, keyset, page.order),
        beyond: (id, towards) =>
          this.#store.comments.existsBeyond(photoId, id, towards === 'start' ? start : end),
      },
      async (comments) => comments.map(toComment),
    );
  }

  /** Comments on a photo the caller may see, unless its owner turned comments off. */
  async add(principal: Principal, photoId: string, text: string): Promise<Comment> {
    const { photo } = await visiblePhoto(this.#store, viewerOf(principal), photoId);
    if (!photo.commentsEnabled) throw commentsOff();
    const comment: CommentRecord = {
      id: uuidv7(),
      photoId,
      author: { id: principal.user.id, username: principal.user.username },
      text,
      createdAt: nowIso(),
      editedAt: null,
    };
    // The comment and the owner's notification of it commit together, or neither does.
    await this.#store.transaction(async (tx) => {
      await lockCallerAccount(tx, principal);
      await tx.comments.insert({
        id: comment.id,
        photoId,
        authorId: comment.author.id,
        text,
        createdAt: comment.createdAt,
      });
      await notify(tx, {
        recipientId: photo.ownerId,
        kind: 'comment_added',
        actorId: comment.author.id,
        photoId,
        subject: comment.id,
      });
    });
    this.#wakeup.ring();
    return toComment(comment);
  }

  /**
   * Its author changes a comment's text. Not while comments are off: the
   * owner turned them off to stop new words appearing under the photo, and
   * an edit is new words.
   */
  async edit(principal: Principal, id: string, text: string): Promise<Comment> {
    const { comment, photo } = await this.#visible(viewerOf(principal), id);
    if (comment.author.id !== principal.user.id)
      throw new DomainError('forbidden', 'Only its author can change a comment');
    if (!photo.commentsEnabled) throw commentsOff();
    const editedAt = nowIso();
    await this.#store.comments.edit(id, text, editedAt);
    return toComment({ ...comment, text, editedAt });
  }

  /** Its author deletes a comment, or the photo's owner (or an administrator) does. */
  async delete(principal: Principal, id: string): Promise<void> {
    const { comment, relation } = await this.#visible(viewerOf(principal), id);
    const allowed =
      comment.author.id === principal.user.id || relation === 'owner' || relation === 'admin';
    if (!allowed)
      throw new DomainError(
        'forbidden',
        'Only its author or the owner of the photo can delete a comment',
      );
    await this.#store.comments.delete(id);
  }

  /** A comment on a photo the viewer may see; anything else is a comment not found. */
  async #visible(viewer: Viewer, id: string) {
    const comment = await this.#store.comments.byId(id);
    if (!comment) throw notFound('Comment');
    return { comment, ...(await visiblePhoto(this.#store, viewer, comment.photoId, 'Comment')) };
  }
}
