import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type FileDigest,
  hashFile,
  RENDER_SPEC_VERSION,
  renderRenditions,
} from '@flickr-kit/thumbnail-core';
import * as tus from 'tus-js-client';
import { Problem } from '../contract/errors.ts';
import type { Limits } from '../contract/uploads.ts';
import { type UploadResult, UploadResult as UploadResultSchema } from '../contract/uploads.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { AbortError, ApiError, ConnectionError, ResponseValidationError } from '../errors.ts';
import { SDK_VERSION } from '../version.ts';
import type { UploadStateStore } from './upload-state-store.ts';

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

export interface UploadFileOptions extends RequestOptions {
  /** Render the thumbnail here with thumbnail-core and send it along (default true). */
  clientThumbnail?: boolean;
  onProgress?: (bytesSent: number, bytesTotal: number) => void;
  /** tus chunk size: one PATCH request per chunk (default 16 MiB). */
  chunkSize?: number;
  /** Thumbnail fields already rendered (by a pipeline that renders ahead of the transfers). */
  thumbnailFields?: Record<string, string>;
}

export type UploadFileResult =
  | {
      status: 'uploaded';
      sha256: string;
      bytes: number;
      photo: UploadResult['photo'];
      clientThumbnail: UploadResult['clientThumbnail'];
    }
  | { status: 'skipped'; sha256: string; bytes: number; photoId: string };

export interface UploadContext {
  transport: Transport;
  limits: () => Promise<Limits>;
  state: UploadStateStore;
}

/** A local file to upload: streams are spooled to a temporary file first, so hashing and resuming can re-read them. */
export async function asLocalFile(
  input: string | Buffer | Readable,
): Promise<{ path?: string; buffer?: Buffer; cleanup(): Promise<void> }> {
  if (typeof input === 'string') return { path: input, cleanup: async () => {} };
  if (Buffer.isBuffer(input)) return { buffer: input, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'flickr-upload-'));
  const path = join(dir, 'upload');
  await pipeline(input, createWriteStream(path));
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function digestOf(file: { path?: string; buffer?: Buffer }): Promise<FileDigest> {
  if (file.buffer) {
    return Promise.resolve({
      sha256: createHash('sha256').update(file.buffer).digest('hex'),
      bytes: file.buffer.length,
    });
  }
  return hashFile(file.path as string);
}

/** Keys the upload state by server and content: the same file to the same server resumes the same upload. */
export function fingerprintOf(baseUrl: string, digest: FileDigest): string {
  return createHash('sha256')
    .update(`${new URL(baseUrl).origin}\n${digest.sha256}\n${digest.bytes}`)
    .digest('hex')
    .slice(0, 40);
}

/**
 * The upload metadata fields of a client-rendered thumbnail, or none when
 * the server would not keep it or rendering failed here.
 */
export async function clientThumbnailFields(
  file: { path?: string; buffer?: Buffer },
  limits: Limits,
): Promise<Record<string, string>> {
  // A thumbnail the server would refuse is not worth rendering.
  if (limits.clientRendering.specVersion !== RENDER_SPEC_VERSION) return {};
  try {
    const [rendition] = await renderRenditions(
      (file.path ?? file.buffer) as string | Buffer,
      [limits.clientRendering.spec],
      {
        pixelLimit: limits.pixelLimit,
      },
    );
    if (!rendition || rendition.bytes > limits.clientRendering.maxBytes) return {};
    return {
      thumbnail: rendition.data.toString('base64'),
      thumbnailSpecVersion: RENDER_SPEC_VERSION,
      clientVersion: `flickr-sdk/${SDK_VERSION}`,
    };
  } catch {
    // The server renders it instead: a client-side failure never fails the upload.
    return {};
  }
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
  options: UploadFileOptions = {},
): Promise<UploadResult> {
  const limits = await context.limits();
  const { transport } = context;
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
  const { authorization, 'user-agent': userAgent } = transport.headers();

  return new Promise<UploadResult>((resolve, reject) => {
    // State writes are chained so that the final delete cannot overtake a save.
    let saving: Promise<void> = Promise.resolve();
    const upload = new tus.Upload(file.buffer ?? createReadStream(file.path as string), {
      endpoint: transport.url(limits.tusEndpoint).toString(),
      uploadUrl: previous ?? null,
      uploadSize: digest.bytes,
      chunkSize: options.chunkSize ?? 16 * 2 ** 20,
      metadata: fields,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(userAgent ? { 'user-agent': userAgent } : {}),
      },
      storeFingerprintForResuming: false,
      // The first chunk travels with the creation request: one round trip less per file.
      uploadDataDuringCreation: previous === undefined,
      retryDelays: [0, 1000, 3000, 5000, 10_000],
      onShouldRetry: (error) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        return status === 0 || status === 409 || status === 423 || status === 429 || status >= 500;
      },
      onUploadUrlAvailable: () => {
        const url = upload.url;
        if (url && url !== previous)
          saving = saving.then(() => context.state.set(fingerprint, url));
      },
      onProgress: (sent, total) => options.onProgress?.(sent, total),
      onSuccess: ({ lastResponse }) => {
        const parsed = UploadResultSchema.safeParse(safeJson(lastResponse.getBody()));
        saving = saving.then(() => context.state.delete(fingerprint));
        saving.then(() => {
          if (parsed.success) resolve(parsed.data);
          else
            reject(
              new ResponseValidationError(
                'The upload finished but the answer does not match the contract',
                parsed.error.issues,
              ),
            );
        }, reject);
      },
      onError: (error) => {
        if (options.signal?.aborted)
          return reject(
            new AbortError('The upload was aborted; it resumes from the stored offset next time'),
          );
        const response = (error as tus.DetailedError).originalResponse;
        if (!response)
          return reject(new ConnectionError(`Upload failed: ${error.message}`, { cause: error }));
        const problem = Problem.safeParse(safeJson(response.getBody()));
        // A refused file (bad hash, not an image) will be refused again: forget its upload.
        if (response.getStatus() >= 400 && response.getStatus() < 500)
          saving = saving.then(() => context.state.delete(fingerprint));
        reject(
          ApiError.generate(
            response.getStatus(),
            problem.success ? problem.data : undefined,
            response.getBody().slice(0, 200),
          ),
        );
      },
    });
    // tus-js-client's abort stops quietly: settle the promise here, keeping the server's bytes for a resume.
    const onAbort = () => {
      void upload
        .abort(false)
        .then(() => saving)
        .finally(() =>
          reject(
            new AbortError('The upload was aborted; it resumes from the stored offset next time'),
          ),
        );
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) return reject(new AbortError('The upload was aborted'));
    upload.start();
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
