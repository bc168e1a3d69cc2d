import { followUser, listFollowers, listFollowing, unfollowUser } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { FollowService } from '../../domain/follows.ts';
import { registerOperation } from '../operation-route.ts';

export async function followRoutes(app: FastifyInstance, { follows }: { follows: FollowService }) {
  registerOperation(app, followUser, async ({ principal, params }) =>
    follows.follow(principal, params.username),
  );
  registerOperation(app, unfollowUser, async ({ principal, params }) => {
    await follows.unfollow(principal, params.username);
    return undefined;
  });
  registerOperation(app, listFollowers, async ({ principal, params, query }) =>
    follows.list(principal, params.username, 'followers', query),
  );
  registerOperation(app, listFollowing, async ({ principal, params, query }) =>
    follows.list(principal, params.username, 'following', query),
  );
}
