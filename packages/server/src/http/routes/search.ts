import { searchPhotos } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { SearchService } from '../../domain/search.ts';
import { registerOperation } from '../operation-route.ts';

export async function searchRoutes(app: FastifyInstance, { search }: { search: SearchService }) {
  registerOperation(app, searchPhotos, async ({ principal, query }) =>
    search.photos(principal, query),
  );
}
