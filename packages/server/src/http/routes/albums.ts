import {
  createAlbum,
  deleteAlbum,
  listAlbumPhotos,
  listAlbums,
  renameAlbum,
} from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { AlbumService } from '../../domain/albums.ts';
import type { PhotoService } from '../../domain/photos.ts';
import { registerOperation } from '../operation-route.ts';

export async function albumRoutes(
  app: FastifyInstance,
  { albums, photos }: { albums: AlbumService; photos: PhotoService },
) {
  registerOperation(app, createAlbum, async ({ principal, body }) =>
    albums.create(principal, body.name),
  );
  registerOperation(app, listAlbums, async ({ params }) => ({
    items: await albums.list(params.username),
  }));
  registerOperation(app, renameAlbum, async ({ principal, params, body }) =>
    albums.rename(principal, params.id, body.name),
  );
  registerOperation(app, deleteAlbum, async ({ principal, params }) => {
    await albums.delete(principal, params.id);
    return undefined;
  });
  registerOperation(app, listAlbumPhotos, async ({ principal, params, query }) =>
    photos.listForAlbum(principal, params.id, query),
  );
}
