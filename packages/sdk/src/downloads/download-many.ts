import { randomUUID } from 'node:crypto';
import { access, readFile, rename, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import PQueue from 'p-queue';
import type { Photo } from '../contract/photos.ts';
import type { Transport } from '../core/transport.ts';
import { FlickrError } from '../errors.ts';
import {
  type DownloadResult,
  downloadFile,
  fileOf,
  holds,
  type Resolution,
} from './download-file.ts';

export interface DownloadManyOptions {
  dir: string;
  /** `original` (default) or a rendition name such as `thumbnail`. */
  resolution?: Resolution;
  /** Downloads at once; originals never more than the server allows per user. */
  concurrency?: number;
  /** Write `<file>.json` beside each file with the photo's metadata (default true). */
  sidecars?: boolean;
  /** Change nothing: report each photo as `planned` (would download) or `skipped` (already there). */
  dryRun?: boolean;
  onProgress?: (event: DownloadManyEvent) => void;
  signal?: AbortSignal;
}

export type DownloadManyEvent =
  | { type: 'progress'; photoId: string; bytes: number; total: number }
  | { type: 'file'; entry: DownloadReportEntry };

export interface DownloadReportEntry {
  photoId: string;
  path?: string;
  /** `planned` only in a dry run: the photo would be downloaded to `path`. */
  status: 'downloaded' | 'skipped' | 'failed' | 'planned';
  bytes?: number;
  transferred?: number;
  /** The SHA-256 the file was verified against (originals only). */
  sha256?: string;
  error?: Error;
}

const EXTENSIONS: Record<string, string> = {
  jpeg: '.jpg',
  png: '.png',
  webp: '.webp',
  avif: '.avif',
  gif: '.gif',
  tiff: '.tif',
};

/** A safe file name from the photo's original name: no folders, no control characters. */
export function fileNameFor(photo: Photo, resolution: Resolution): string {
  const cleaned = [...photo.originalName]
    .map((char) => (char === '/' || char === '\\' || char.charCodeAt(0) < 0x20 ? '_' : char))
    .join('')
    .replace(/^\.+/, '')
    .slice(0, 200);
  const name = cleaned || photo.id;
  if (resolution === 'original') return name;
  const rendition = photo.renditions.find((r) => r.name === resolution);
  const stem = name.slice(0, name.length - extname(name).length) || name;
  return `${stem}.${resolution}${EXTENSIONS[rendition?.format ?? ''] ?? '.jpg'}`;
}

/** The metadata kept beside each downloaded file. */
export function sidecarOf(photo: Photo) {
  return {
    id: photo.id,
    title: photo.title,
    description: photo.description,
    tags: photo.tags,
    album: photo.album?.name ?? null,
    visibility: photo.visibility,
    originalName: photo.originalName,
    sha256: photo.sha256,
    bytes: photo.bytes,
    width: photo.width,
    height: photo.height,
    capturedAt: photo.capturedAt,
    camera: photo.camera,
    location: photo.location,
    createdAt: photo.createdAt,
    updatedAt: photo.updatedAt,
  };
}

async function sidecarId(path: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(`${path}.json`, 'utf8')) as { id?: string }).id;
  } catch {
    return undefined;
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

/**
 * Downloads every photo of a list into a folder. A file already there with
 * the right content is skipped; a different file with the same name is
 * never overwritten (the download gets a name of its own); partial files
 * resume; every write is atomic. Originals go one at a time (the server's
 * policy), thumbnails in parallel.
 */
export async function downloadMany(
  transport: Transport,
  photos: AsyncIterable<Photo>,
  serverLimit: number,
  options: DownloadManyOptions,
): Promise<DownloadReportEntry[]> {
  const resolution = options.resolution ?? 'original';
  const concurrency =
    resolution === 'original'
      ? Math.min(options.concurrency ?? serverLimit, serverLimit)
      : (options.concurrency ?? 8);
  const queue = new PQueue({ concurrency: Math.max(1, concurrency) });
  const claimed = new Set<string>();
  const report: DownloadReportEntry[] = [];
  const finish = (entry: DownloadReportEntry) => {
    report.push(entry);
    options.onProgress?.({ type: 'file', entry });
  };

  /** The path this photo downloads to: its own name, unless another file holds it. */
  const pathFor = async (photo: Photo): Promise<string> => {
    const name = fileNameFor(photo, resolution);
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    const expected = fileOf(photo, resolution);
    for (let n = 1; ; n++) {
      const path = join(options.dir, n === 1 ? name : `${stem} (${n})${ext}`);
      if (claimed.has(path)) continue;
      const owner = await sidecarId(path);
      if (
        owner === photo.id ||
        (owner === undefined && (await holds(path, expected))) ||
        !(await exists(path))
      ) {
        claimed.add(path);
        return path;
      }
    }
  };

  for await (const photo of photos) {
    if (options.signal?.aborted) break;
    // Keep the listing a little ahead of the downloads, not the whole list in memory.
    await queue.onSizeLessThan(concurrency * 4);
    void queue.add(async () => {
      try {
        const path = await pathFor(photo);
        if (options.dryRun) {
          const expected = fileOf(photo, resolution);
          const present = await holds(path, expected);
          finish({
            photoId: photo.id,
            path,
            status: present ? 'skipped' : 'planned',
            bytes: expected.bytes,
            transferred: 0,
          });
          return;
        }
        const result: DownloadResult = await downloadFile(transport, photo, {
          resolution,
          to: path,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (bytes, total) =>
            options.onProgress?.({ type: 'progress', photoId: photo.id, bytes, total }),
        });
        if (options.sidecars !== false)
          await writeAtomically(`${path}.json`, `${JSON.stringify(sidecarOf(photo), null, 2)}\n`);
        finish({
          photoId: photo.id,
          path,
          status: result.skipped ? 'skipped' : 'downloaded',
          bytes: result.bytes,
          transferred: result.transferred,
          ...(result.sha256 ? { sha256: result.sha256 } : {}),
        });
      } catch (error) {
        finish({
          photoId: photo.id,
          status: 'failed',
          error: error instanceof Error ? error : new FlickrError(String(error)),
        });
      }
    });
  }
  await queue.onIdle();
  return report;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
