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

/** Media types by extension: every format a key is made for is an `image/<format>`. */
const CONTENT_TYPES = new Map(
  Object.entries(EXTENSIONS).map(([format, extension]) => [extension, `image/${format}`]),
);

/** The media type of a file whose key ends in this extension. */
export const contentTypeFor = (extension: string): string =>
  CONTENT_TYPES.get(extension) ?? 'application/octet-stream';

/** What a photo's keys are made of. */
export interface KeyedPhoto {
  ownerId: string;
  albumId: string | null;
  id: string;
  /** The folder fixed at the pivot; without one, the photo's album now. */
  blobFolder?: string | null;
}

/** The folder for a photo in an album, as the pivot fixes it. */
export const folderFor = (ownerId: string, albumId: string | null): string =>
  `${ownerId}/${albumSegment(albumId)}`;

/**
 * A photo's folder. Fixed at the pivot and kept in the row, so a photo moved
 * to another album, or whose album is deleted, while the saga runs still has
 * all of its files in one place, where the steps before wrote them.
 */
export const folderOf = (photo: KeyedPhoto): string =>
  photo.blobFolder ?? folderFor(photo.ownerId, photo.albumId);

export function originalKey(photo: KeyedPhoto & { format: string | null }): string {
  return `${folderOf(photo)}/${ORIGINAL}/${photo.id}.${extensionFor(photo.format)}`;
}

export function renditionKey(photo: KeyedPhoto, name: string, format: string): string {
  return `${folderOf(photo)}/${name}/${photo.id}.${extensionFor(format)}`;
}
