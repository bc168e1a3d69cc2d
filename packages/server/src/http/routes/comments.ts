import { addComment, deleteComment, editComment, listComments } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { CommentService } from '../../domain/comments.ts';
import { registerOperation } from '../operation-route.ts';

export async function commentRoutes(
  app: FastifyInstance,
  { comments }: { comments: CommentService },
) {
  registerOperation(app, listComments, async ({ principal, params, query }) =>
    comments.list(principal, params.id, query),
  );
  registerOperation(app, addComment, async ({ principal, params, body }) =>
    comments.add(principal, params.id, body.text),
  );
  registerOperation(app, editComment, async ({ principal, params, body }) =>
    comments.edit(principal, params.id, body.text),
  );
  registerOperation(app, deleteComment, async ({ principal, params }) => {
    await comments.delete(principal, params.id);
    return undefined;
  });
}
