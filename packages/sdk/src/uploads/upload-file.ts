import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { getPhoto, type Photo } from '../contract/photos.ts';
import type { Limits } from '../contract/uploads.ts';
import { checkHashes, type UploadResult } from '../contract/uploads.ts';
import { abortError, isRetryable, throwIfAborted } from '../core/retry.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { ApiError } from '../errors.ts';
import { clientThumbnailFields } from './client-thumbnail.ts';
import type { FileBytes } from './file-body.ts';
import type { FileDigest } from './file-digest.ts';
import type { TransferGate } from './transfer-gate.ts';
import { sendOverTus } from './tus-upload.ts';
import type { UploadStateStore } from './upload-state-store.ts';

/** Files above this size are created first and then sent, so an interruption resumes byte-exact. */
export const DEFAULT_RESUMABLE_THRESHOLD = 8 * 2 ** 20;

/** What a photo is uploaded with. */
export interface PhotoMetadata {
  /** Defaults to the file's name. */
  filename?: string;
  title?: string;
  description?: string;
  tags?: string[];
  /** Album name; created when missing. */
  album?: string;
  visibility?: 'public' | 'private';
}

/** How one file travels; see the README's "Resume" section for the trade-offs. */
export interface TransferOptions {
  /**
   * Files larger than this many bytes (default 8 MiB) are created with an
   * empty tus POST whose upload URL is stored before any byte is sent, so
   * an interrupted upload, even after either side restarted, resumes from
   * the last byte the server holds. Smaller files travel inside the creation
   * request (one round trip): an interruption re-sends at most this many bytes.
   */
  resumableThreshold?: number;
  /**
   * Bytes per PATCH request (default: the whole file in one). Set it for a
   * proxy with a request body limit; resume does not need it, since the
   * server keeps the bytes of an interrupted PATCH.
   */
  chunkSize?: number | undefined;
}

export interface UploadFileOptions extends RequestOptions, TransferOptions {
  /** Render the thumbnail here with thumbnail-core and send it along (default true). */
  clientThumbnail?: boolean;
  onProgress?: (bytesSent: number, bytesTotal: number) => void;
  /** Thumbnail fields already rendered (by a pipeline that renders ahead of the transfers). */
  thumbnailFields?: Record<string, string>;
}

/** What uploadMany adds to a transfer: it prepares uploads ahead of their turn. */
export interface SendOptions extends UploadFileOptions {
  /** Create the upload with an empty request whatever the file's size (its URL is stored first). */
  createFirst?: boolean;
  /** Held by each PATCH while it sends, so prepared uploads wait their turn. */
  gate?: TransferGate;
  /** Milliseconds each PATCH took, from its permit to its answer: the network's pace. */
  onPatchTime?: (ms: number) => void;
}

export type UploadFileResult =
  | {
      status: 'uploaded';
      sha256: string;
      bytes: number;
      photo: Photo;
      clientThumbnail: UploadResult['clientThumbnail'];
    }
  | {
      /** The server already had these bytes for this user: nothing was sent. */
      status: 'skipped';
      sha256: string;
      bytes: number;
      photoId: string;
      /** The photo the server already had. */
      photo: Photo;
    };

export interface UploadContext {
  transport: Transport;
  limits: (options?: RequestOptions) => Promise<Limits>;
  state: UploadStateStore;
}

/** Keys the upload state by server and content: the same file to the same server resumes the same upload. */
export function fingerprintOf(baseUrl: string, digest: FileDigest): string {
  return createHash('sha256')
    .update(`${new URL(baseUrl).origin}\n${digest.sha256}\n${digest.bytes}`)
    .digest('hex')
    .slice(0, 40);
}

/** The caller's photo with these bytes, if the server has one. */
export async function findExisting(
  transport: Transport,
  sha256: string,
  options: RequestOptions = {},
): Promise<Photo | undefined> {
  const { existing } = await transport.call(checkHashes, { body: { sha256: [sha256] } }, options);
  const known = existing[0];
  return known ? transport.call(getPhoto, { params: { id: known.photoId } }, options) : undefined;
}

/**
 * Sends one file over tus, resuming where a previous attempt (in this or
 * an earlier process) stopped, under the client's one retry policy.
 * Expects the caller to have checked that the server does not have it yet.
 */
export async function sendFile(
  context: UploadContext,
  file: FileBytes,
  digest: FileDigest,
  metadata: PhotoMetadata,
  options: SendOptions = {},
): Promise<UploadResult> {
  const { signal, gate } = options;
  throwIfAborted(signal, 'The upload was aborted');
  const { transport } = context;
  const limits = await context.limits(signal ? { signal } : {});
  const fingerprint = fingerprintOf(transport.settings.baseUrl, digest);
  const fields: Record<string, string> = {
    filename: metadata.filename ?? (file.path ? basename(file.path) : 'photo'),
    sha256: digest.sha256,
    ...(metadata.title ? { title: metadata.title } : {}),
    ...(metadata.description ? { description: metadata.description } : {}),
    ...(metadata.tags?.length ? { tags: metadata.tags.join(',') } : {}),
    ...(metadata.album ? { album: metadata.album } : {}),
    ...(metadata.visibility ? { visibility: metadata.visibility } : {}),
    ...(options.thumbnailFields ??
      (options.clientThumbnail === false ? {} : await clientThumbnailFields(file, limits))),
  };
  throwIfAborted(signal, 'The upload was aborted');
  try {
    const result = await sendOverTus(
      transport,
      {
        endpoint: transport.url(limits.tusEndpoint).toString(),
        file,
        size: digest.bytes,
        metadata: fields,
        url: await context.state.get(fingerprint),
        // Large files: an empty creation request, so the URL is stored before any byte travels.
        createFirst:
          options.createFirst === true ||
          digest.bytes > (options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD),
        chunkSize: options.chunkSize,
        onUrl: (url) =>
          url ? context.state.set(fingerprint, url) : context.state.delete(fingerprint),
        onProgress: options.onProgress,
        acquire: gate && (() => gate.acquire()),
        onPatchTime: options.onPatchTime,
      },
      options,
    );
    await context.state.delete(fingerprint);
    return result;
  } catch (error) {
    if (signal?.aborted)
      throw abortError(
        signal,
        'The upload was aborted; it resumes from the stored offset next time',
      );
    // A refused file (bad hash, not an image) will be refused again: forget its upload.
    if (
      error instanceof ApiError &&
      error.status >= 400 &&
      error.status < 500 &&
      !isRetryable(error)
    )
      await context.state.delete(fingerprint);
    throw error;
  }
}
