import {
  deletePhoto,
  getPhoto,
  listUserPhotos,
  retryPhoto,
  updatePhoto,
} from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { PhotoService } from '../../domain/photos.ts';
import { registerOperation } from '../operation-route.ts';

export async function photoRoutes(app: FastifyInstance, { photos }: { photos: PhotoService }) {
  registerOperation(app, getPhoto, async ({ principal, params }) =>
    photos.get(principal, params.id),
  );
  registerOperation(app, updatePhoto, async ({ principal, params, body }) =>
    photos.update(principal, params.id, body),
  );
  registerOperation(app, deletePhoto, async ({ principal, params }) => {
    await photos.delete(principal, params.id);
    return undefined;
  });
  registerOperation(app, listUserPhotos, async ({ principal, params, query }) =>
    photos.listForUser(principal, params.username, query),
  );
  registerOperation(app, retryPhoto, async ({ principal, params }) =>
    photos.retry(principal, params.id),
  );
}
