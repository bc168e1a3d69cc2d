import { getPhoto, retryPhoto } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { PhotoService } from '../../domain/photos.ts';
import { registerOperation } from '../operation-route.ts';

export async function photoRoutes(app: FastifyInstance, { photos }: { photos: PhotoService }) {
  registerOperation(app, getPhoto, async ({ principal, params }) =>
    photos.get(principal, params.id),
  );
  registerOperation(app, retryPhoto, async ({ params }) => photos.retry(params.id));
}
