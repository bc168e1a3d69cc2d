import type { FileDigest, Photo } from '@flickr-kit/sdk';
import { folderAlbum, type LocalFile } from '../files/walk.ts';

export interface PushPlan {
  /** The first local file of each content the server lacks, with the album it goes to. */
  upload: { file: LocalFile; album: string | undefined }[];
  /** `--album-per-folder`: photos on the server whose album is not their folder's. */
  move: { photo: Photo; file: LocalFile; album: string | undefined }[];
  /** `--delete`: photos on the server whose content is in no local file. */
  delete: Photo[];
  /** Local files the server already has where they belong. */
  unchanged: number;
  /** Local files whose content another local file already stands for. */
  duplicates: LocalFile[];
}

export interface PushOptions {
  albumPerFolder: boolean;
  delete: boolean;
}

/**
 * What `sync push` does, by content hash alone: names, paths and dates
 * never decide whether a photo is the same. Files come sorted by path, so
 * when one content is in several folders, the first folder names its album.
 */
export function planPush(
  files: readonly LocalFile[],
  digests: ReadonlyMap<string, FileDigest>,
  remote: readonly Photo[],
  options: PushOptions,
): PushPlan {
  const remoteByHash = new Map<string, Photo>();
  for (const photo of remote)
    if (!remoteByHash.has(photo.sha256)) remoteByHash.set(photo.sha256, photo);
  const plan: PushPlan = { upload: [], move: [], delete: [], unchanged: 0, duplicates: [] };
  const local = new Set<string>();

  for (const file of files) {
    const digest = digests.get(file.path);
    if (!digest) continue;
    if (local.has(digest.sha256)) {
      plan.duplicates.push(file);
      continue;
    }
    local.add(digest.sha256);
    const album = options.albumPerFolder ? folderAlbum(file) : undefined;
    const photo = remoteByHash.get(digest.sha256);
    if (!photo) plan.upload.push({ file, album });
    else if (options.albumPerFolder && (photo.album?.name ?? undefined) !== album)
      plan.move.push({ photo, file, album });
    else plan.unchanged++;
  }
  if (options.delete) plan.delete = remote.filter((photo) => !local.has(photo.sha256));
  return plan;
}
