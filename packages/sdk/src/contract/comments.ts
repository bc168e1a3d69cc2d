import { z } from 'zod';
import { Id, IdParams, Timestamp } from './common.ts';
import { defineOperation } from './operation.ts';
import { pageOf, pageQueryWith } from './pagination.ts';
import { UserRef } from './shares.ts';
import { storedText } from './stored-text.ts';

/** The longest comment, in UTF-16 code units (what JavaScript's `length` counts). */
export const COMMENT_MAX_LENGTH = 4000;

/**
 * A comment's text: stored and returned exactly as sent, on several lines if
 * need be; never blank. Not trimmed: spaces around it are the author's.
 */
export const CommentText = storedText({ multiline: true })
  .max(COMMENT_MAX_LENGTH)
  .refine((text) => text.trim().length > 0, 'must not be blank')
  .describe(`The comment, 1-${COMMENT_MAX_LENGTH} characters; line breaks and tabs allowed`);

export const Comment = z.object({
  id: Id,
  photoId: Id,
  author: UserRef,
  text: z.string(),
  createdAt: Timestamp,
  editedAt: Timestamp.nullable().describe('When its author last changed it; null if never'),
});
export type Comment = z.infer<typeof Comment>;

/** Which end of a photo's conversation a listing starts from. */
export const CommentOrder = z.enum(['oldest', 'newest']);
export type CommentOrder = z.infer<typeof CommentOrder>;

export const CommentPageQuery = pageQueryWith({
  order: CommentOrder.default('oldest').describe(
    '`oldest` first (a conversation as it happened, the default) or `newest` first. `after` pages on in this order, `before` back',
  ),
});
export type CommentPageQuery = z.input<typeof CommentPageQuery>;

const CommentBody = z.object({ text: CommentText }).strict();

export const listComments = defineOperation({
  id: 'listComments',
  method: 'GET',
  path: '/v1/photos/:id/comments',
  summary: 'A photo’s comments, oldest or newest first; readable by whoever may see the photo',
  tag: 'comments',
  access: 'public-read',
  params: IdParams,
  query: CommentPageQuery,
  status: 200,
  response: pageOf(Comment),
  errors: ['not_found', 'invalid_cursor'],
});

export const addComment = defineOperation({
  id: 'addComment',
  method: 'POST',
  path: '/v1/photos/:id/comments',
  summary: 'Comment on a photo you may see, unless its owner turned comments off',
  tag: 'comments',
  access: 'write',
  params: IdParams,
  body: CommentBody,
  status: 201,
  response: Comment,
  errors: ['not_found', 'comments_disabled'],
});

export const editComment = defineOperation({
  id: 'editComment',
  method: 'PATCH',
  path: '/v1/comments/:id',
  summary: 'Change the text of your comment (it then shows `editedAt`)',
  tag: 'comments',
  access: 'write',
  params: IdParams,
  body: CommentBody,
  status: 200,
  response: Comment,
  errors: ['not_found', 'forbidden', 'comments_disabled'],
});

export const deleteComment = defineOperation({
  id: 'deleteComment',
  method: 'DELETE',
  path: '/v1/comments/:id',
  summary: 'Delete your comment, or any comment on your photo',
  tag: 'comments',
  access: 'delete',
  params: IdParams,
  status: 204,
  errors: ['not_found', 'forbidden'],
});
