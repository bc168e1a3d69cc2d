import { join } from 'node:path';
import type { FileDigest, Photo } from '@flickr-kit/sdk';
import type { LocalFile } from '../files/walk.ts';

export interface PullPlan {
  /** Photos no local file holds, by the folder each goes to. */
  download: Map<string, Photo[]>;
  /** `--delete`: local files whose content is in no photo on the server. */
  delete: LocalFile[];
  /** Photos a local file already holds. */
  present: number;
}

/**
 * What `sync pull` does, by content hash: a photo is present when any
 * local file under the folder holds its bytes, wherever it is and whatever
 * it is called. New photos go to `<dir>/<album>/`, or `<dir>/` for photos
 * in no album, the layout `sync push --album-per-folder` reads back.
 */
export function planPull(
  dir: string,
  files: readonly LocalFile[],
  digests: ReadonlyMap<string, FileDigest>,
  remote: readonly Photo[],
  options: { delete: boolean },
): PullPlan {
  const local = new Set<string>();
  for (const digest of digests.values()) local.add(digest.sha256);
  const plan: PullPlan = { download: new Map(), delete: [], present: 0 };
  const wanted = new Set<string>();
  for (const photo of remote) {
    // What a download of it gives this caller: the original, or the copy without GPS.
    const sha256 = photo.originalSha256 ?? photo.sha256;
    if (wanted.has(sha256)) continue;
    wanted.add(sha256);
    if (local.has(sha256)) {
      plan.present++;
      continue;
    }
    const folder = photo.album ? join(dir, ...albumFolder(photo.album.name)) : dir;
    plan.download.set(folder, [...(plan.download.get(folder) ?? []), photo]);
  }
  if (options.delete)
    plan.delete = files.filter((file) => {
      const digest = digests.get(file.path);
      return digest !== undefined && !wanted.has(digest.sha256);
    });
  return plan;
}

/**
 * An album name as folders: `/` nests, as `--album-per-folder` names them;
 * anything that could climb out of the folder or hide in it is replaced.
 */
export function albumFolder(name: string): string[] {
  const parts = name
    .split('/')
    .map((part) =>
      [...part.trim()]
        .map((char) => (char === '\\' || char === ':' || char.charCodeAt(0) < 0x20 ? '_' : char))
        .join('')
        .replace(/^\.+/, '_'),
    )
    .filter((part) => part.length > 0);
  return parts.length ? parts : ['_'];
}
