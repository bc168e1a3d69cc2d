/**
 * Blob layout: `<user>/<album>/<resolution>/<file>`, `default` for photos in
 * no album. Every segment is an id or a fixed name, never user input, so
 * keys are safe as paths and unique by construction.
 */
export const albumSegment = (albumId: string | null): string => albumId ?? 'default';

export const ORIGINAL = 'original';

const EXTENSIONS: Record<string, string> = {
  jpeg: 'jpg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  tiff: 'tif',
  avif: 'avif',
  heic: 'heic',
};

export const extensionFor = (format: string | null): string => EXTENSIONS[format ?? ''] ?? 'bin';

export function originalKey(photo: {
  ownerId: string;
  albumId: string | null;
  id: string;
  format: string | null;
}): string {
  return `${photo.ownerId}/${albumSegment(photo.albumId)}/${ORIGINAL}/${photo.id}.${extensionFor(photo.format)}`;
}

export function renditionKey(
  photo: { ownerId: string; albumId: string | null; id: string },
  name: string,
  format: string,
): string {
  return `${photo.ownerId}/${albumSegment(photo.albumId)}/${name}/${photo.id}.${extensionFor(format)}`;
}
