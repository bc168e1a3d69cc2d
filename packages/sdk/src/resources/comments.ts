import {
  addComment,
  type Comment,
  type CommentOrder,
  deleteComment,
  editComment,
  listComments,
} from '../contract/comments.ts';
import { PageIterator } from '../core/pagination.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';

/** Where a listing of comments starts, how long its pages are, and which way it runs. */
export interface CommentListQuery {
  /** Comments per page (default 100, at most 100). */
  limit?: number;
  /** `oldest` first (the default: a conversation as it happened) or `newest` first. */
  order?: CommentOrder;
  /** Start after this cursor (a page's `nextCursor`). */
  after?: string;
  /** Start before this cursor (a page's `prevCursor`), walking back. */
  before?: string;
}

/**
 * Comments on photos. A photo's comments are there for whoever may see the
 * photo; adding one to a photo whose owner turned comments off throws a
 * `CommentsDisabledError`.
 */
export class Comments {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** A photo's comments, fetched page by page as you iterate. */
  list(photoId: string, query: CommentListQuery = {}, options?: RequestOptions) {
    const start = {
      ...(query.after ? { after: query.after } : {}),
      ...(query.before ? { before: query.before } : {}),
    };
    return new PageIterator<Comment>(
      (cursor) =>
        this.#transport.call(
          listComments,
          {
            params: { id: photoId },
            query: {
              limit: query.limit ?? 100,
              ...(query.order ? { order: query.order } : {}),
              ...cursor,
            },
          },
          options,
        ),
      start,
    );
  }

  add(photoId: string, text: string, options?: RequestOptions) {
    return this.#transport.call(addComment, { params: { id: photoId }, body: { text } }, options);
  }

  /** Changes the text of your comment; it then shows `editedAt`. */
  edit(commentId: string, text: string, options?: RequestOptions) {
    return this.#transport.call(
      editComment,
      { params: { id: commentId }, body: { text } },
      options,
    );
  }

  /** Deletes your comment, or any comment on your photo. */
  delete(commentId: string, options?: RequestOptions) {
    return this.#transport.call(deleteComment, { params: { id: commentId } }, options);
  }
}
