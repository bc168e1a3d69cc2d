import { favoritePhoto, listFavorites, unfavoritePhoto } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { FavoriteService } from '../../domain/favorites.ts';
import { registerOperation } from '../operation-route.ts';

export async function favoriteRoutes(
  app: FastifyInstance,
  { favorites }: { favorites: FavoriteService },
) {
  registerOperation(app, favoritePhoto, async ({ principal, params }) =>
    favorites.add(principal, params.id),
  );
  registerOperation(app, unfavoritePhoto, async ({ principal, params }) =>
    favorites.remove(principal, params.id),
  );
  registerOperation(app, listFavorites, async ({ principal, query }) =>
    favorites.list(principal, query),
  );
}
