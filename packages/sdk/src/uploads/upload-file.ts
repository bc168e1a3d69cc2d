import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import * as tus from 'tus-js-client';
import { Problem } from '../contract/errors.ts';
import { getPhoto, type Photo } from '../contract/photos.ts';
import type { Limits } from '../contract/uploads.ts';
import {
  checkHashes,
  type UploadResult,
  UploadResult as UploadResultSchema,
} from '../contract/uploads.ts';
import { abortError, parseRetryAfter } from '../core/retry.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { ApiError, ConnectionError, ResponseValidationError, TimeoutError } from '../errors.ts';
import { clientThumbnailFields } from './client-thumbnail.ts';
import type { FileDigest } from './file-digest.ts';
import type { Permit, TransferGate } from './transfer-gate.ts';
import { pathFileReader } from './tus-file-source.ts';
import { FetchHttpStack } from './tus-http-stack.ts';
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
  chunkSize?: number;
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
 * an earlier process) stopped. Expects the caller to have checked that the
 * server does not have it yet.
 */
export async function sendFile(
  context: UploadContext,
  file: { path?: string; buffer?: Buffer },
  digest: FileDigest,
  metadata: PhotoMetadata,
  options: SendOptions = {},
): Promise<UploadResult> {
  const { signal, gate } = options;
  if (signal?.aborted) throw abortError(signal, 'The upload was aborted');
  const { transport } = context;
  const limits = await context.limits(signal ? { signal } : {});
  const fingerprint = fingerprintOf(transport.settings.baseUrl, digest);
  const previous = await context.state.get(fingerprint);
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
  if (signal?.aborted) throw abortError(signal, 'The upload was aborted');
  const { authorization, 'user-agent': userAgent } = transport.headers();
  const resumable =
    options.createFirst === true ||
    digest.bytes > (options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD);

  return new Promise<UploadResult>((resolve, reject) => {
    // The URL this process has stored for the file; state writes are chained so a delete cannot overtake a save.
    let stored = previous;
    let saving: Promise<void> = Promise.resolve();
    const forget = () => {
      if (stored === undefined) return;
      stored = undefined;
      saving = saving.then(() => context.state.delete(fingerprint));
    };
    // The gate's permit held by the PATCH in flight, if any.
    let permit: Permit | undefined;
    const release = () => {
      permit?.release();
      permit = undefined;
    };
    let done = false;
    let patchStarted = performance.now();
    const settle = (outcome: () => void) => {
      done = true;
      release();
      signal?.removeEventListener('abort', onAbort);
      saving.then(outcome, reject);
    };
    // A path is read by pathFileReader, which ignores tus's file argument.
    const upload = new tus.Upload(file.buffer ?? Buffer.alloc(0), {
      endpoint: transport.url(limits.tusEndpoint).toString(),
      uploadUrl: previous ?? null,
      uploadSize: digest.bytes,
      chunkSize: options.chunkSize ?? Number.POSITIVE_INFINITY,
      metadata: fields,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(userAgent ? { 'user-agent': userAgent } : {}),
        // The pivot's result in the last answer (RFC 7240); without it that is a bare 204.
        prefer: 'return=representation',
      },
      httpStack: new FetchHttpStack({
        fetch: transport.settings.fetch,
        idleTimeout: options.timeout ?? transport.settings.timeout,
        onBodyStart: () => permit?.started(),
      }),
      ...(file.path ? { fileReader: pathFileReader(file.path, digest.bytes) } : {}),
      storeFingerprintForResuming: false,
      // Large files: an empty creation request, so the URL is known (and stored) before any byte travels.
      uploadDataDuringCreation: !resumable,
      retryDelays: [0, 1000, 3000, 5000, 10_000],
      onShouldRetry: (error) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        return status === 0 || status === 409 || status === 423 || status === 429 || status >= 500;
      },
      // The upload URL is stored before the first byte of a PATCH leaves, never after: a
      // crash mid-PATCH must find it. A file sent whole in its creation request needs none.
      onBeforeRequest: async (request) => {
        if (request.getMethod() !== 'PATCH') return;
        const url = upload.url;
        if (url && url !== stored) {
          stored = url;
          saving = saving.then(() => context.state.set(fingerprint, url));
          await saving;
        }
        // A retried PATCH gives back the permit of the attempt that failed first.
        release();
        if (!gate) return;
        permit = await gate.acquire();
        if (done) release();
        patchStarted = performance.now();
      },
      onAfterResponse: (request) => {
        if (request.getMethod() !== 'PATCH') return;
        release();
        options.onPatchTime?.(performance.now() - patchStarted);
      },
      onProgress: (sent, total) => options.onProgress?.(sent, total),
      onSuccess: ({ lastResponse }) => {
        forget();
        const parsed = UploadResultSchema.safeParse(safeJson(lastResponse.getBody()));
        if (parsed.success) return settle(() => resolve(parsed.data));
        // A resume found every byte already there (the final answer was lost): the photo may exist.
        findExisting(transport, digest.sha256, signal ? { signal } : {}).then((photo) => {
          settle(() => {
            if (photo) resolve({ photo, duplicate: true, clientThumbnail: 'absent' });
            else
              reject(
                new ResponseValidationError(
                  'The upload finished but the answer does not match the contract',
                  parsed.error.issues,
                ),
              );
          });
        }, reject);
      },
      onError: (error) => {
        if (signal?.aborted) return settle(() => reject(abortedUpload(signal)));
        const detailed = error as tus.DetailedError;
        const response = detailed.originalResponse;
        if (!response) {
          const cause = detailed.causingError ?? error;
          return settle(() =>
            reject(
              cause instanceof TimeoutError
                ? cause
                : new ConnectionError(`Upload failed: ${error.message}`, { cause: error }),
            ),
          );
        }
        const status = response.getStatus();
        const problem = Problem.safeParse(safeJson(response.getBody()));
        // A refused file (bad hash, not an image) will be refused again: forget its upload.
        if (status >= 400 && status < 500) forget();
        const retryAfterMs = parseRetryAfter(response.getHeader('retry-after'));
        settle(() =>
          reject(
            ApiError.generate(
              status,
              problem.success ? problem.data : undefined,
              response.getBody().slice(0, 200),
              retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
            ),
          ),
        );
      },
    });
    // tus-js-client's abort stops quietly: settle here, keeping the server's bytes for a resume.
    const onAbort = () => {
      void upload.abort(false).finally(() => settle(() => reject(abortedUpload(signal))));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}

function abortedUpload(signal: AbortSignal | undefined) {
  return abortError(
    signal ?? AbortSignal.abort(),
    'The upload was aborted; it resumes from the stored offset next time',
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
