import type { Photo } from '@flickr-kit/sdk/contract';
import type { AlbumRecord, PhotoRecord, RenditionRecord } from '../ports/metadata-store.ts';

/** The API's view of a photo record. */
export function toPhoto(
  photo: PhotoRecord,
  album: AlbumRecord | undefined,
  renditions: RenditionRecord[],
): Photo {
  return {
    id: photo.id,
    ownerId: photo.ownerId,
    album: album ? { id: album.id, name: album.name } : null,
    sha256: photo.sha256,
    bytes: photo.bytes,
    originalName: photo.originalName,
    title: photo.title,
    description: photo.description,
    tags: photo.tags,
    visibility: photo.visibility,
    commentsEnabled: photo.commentsEnabled,
    status: photo.status,
    statusReason: photo.statusReason,
    format: photo.format,
    width: photo.width,
    height: photo.height,
    capturedAt: photo.capturedAt,
    camera: photo.camera,
    location:
      photo.latitude !== null && photo.longitude !== null
        ? { latitude: photo.latitude, longitude: photo.longitude }
        : null,
    placeholder: photo.placeholder,
    renditions: renditions.map(
      ({ name, width, height, bytes, format, renderedBy, specVersion }) => ({
        name,
        width,
        height,
        bytes,
        format,
        renderedBy,
        specVersion,
      }),
    ),
    createdAt: photo.createdAt,
    updatedAt: photo.updatedAt,
  };
}
