// Sessions of the real tus-js-client that stop on purpose: the first half of
// a resumable upload, and the journal a client keeps to find it again.
import { TUS_PATH } from '@flickr-kit/sdk/contract';
import * as tus from 'tus-js-client';
import { sha256 } from './uploads.ts';

export type TusOptions = ConstructorParameters<typeof tus.Upload>[1];
type UrlStorage = NonNullable<TusOptions['urlStorage']>;
type PreviousUpload = Awaited<ReturnType<tus.Upload['findPreviousUploads']>>[number];

/**
 * Remembers upload URLs by file fingerprint, as a client's journal on disk
 * does across the client's own restarts.
 */
export class MemoryUrlStorage implements UrlStorage {
  readonly #uploads = new Map<string, { fingerprint: string; upload: PreviousUpload }>();

  async findAllUploads(): Promise<PreviousUpload[]> {
    return [...this.#uploads.values()].map((entry) => entry.upload);
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    return [...this.#uploads.values()]
      .filter((entry) => entry.fingerprint === fingerprint)
      .map((entry) => entry.upload);
  }

  async removeUpload(key: string): Promise<void> {
    this.#uploads.delete(key);
  }

  async addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    const key = `tus::${fingerprint}::${this.#uploads.size}`;
    this.#uploads.set(key, { fingerprint, upload: { ...upload, urlStorageKey: key } });
    return key;
  }
}

/** Options every session of one file shares: endpoint, token, metadata with the file's hash, no retries. */
export function sessionOptions(baseUrl: string, token: string, data: Buffer): TusOptions {
  return {
    endpoint: `${baseUrl}${TUS_PATH}/`,
    headers: { authorization: `Bearer ${token}`, prefer: 'return=representation' },
    metadata: { filename: 'noise.png', sha256: sha256(data) },
    retryDelays: [],
  };
}

/**
 * Starts an upload and pauses it once `pauseAt(progress)` says so, from
 * `onChunkComplete` (between chunks) or `onProgress` (mid-chunk). Resolves
 * with the upload's URL and the bytes the client had sent when it paused.
 */
export function uploadUntilPaused(
  data: Buffer,
  options: TusOptions,
  pauseAt: { chunks: number } | { bytesSent: number },
  terminate = false,
): Promise<{ url: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    let paused = false;
    const pause = (bytesSent: number) => {
      if (paused) return;
      paused = true;
      upload.abort(terminate).then(() => resolve({ url: upload.url ?? '', bytesSent }), reject);
    };
    let chunks = 0;
    const upload = new tus.Upload(data, {
      ...options,
      onChunkComplete: (_size, accepted) => {
        chunks++;
        if ('chunks' in pauseAt && chunks >= pauseAt.chunks) pause(accepted);
      },
      onProgress: (sent) => {
        if ('bytesSent' in pauseAt && sent >= pauseAt.bytesSent) pause(sent);
      },
      onSuccess: () => reject(new Error('the upload finished before it could be paused')),
      onError: reject,
    });
    upload.start();
  });
}

/** What a finishing session saw: every request's method and offset, and the pivot's answer. */
export interface FinishedSession {
  requests: { method: string; offset: number | undefined }[];
  /** Bytes this session sent and the server accepted. */
  bytesSent: number;
  status: number;
  body: string;
}

/** Runs a session to the end: `prepare` decides where it starts (a URL, or a previous upload). */
export function finishUpload(
  data: Buffer,
  options: TusOptions,
  prepare: (upload: tus.Upload) => Promise<void> = async () => {},
): Promise<FinishedSession> {
  return new Promise((resolve, reject) => {
    const requests: FinishedSession['requests'] = [];
    let bytesSent = 0;
    const upload = new tus.Upload(data, {
      ...options,
      onBeforeRequest: (request) => {
        const offset = request.getHeader('Upload-Offset');
        requests.push({
          method: request.getMethod(),
          offset: offset === undefined ? undefined : Number(offset),
        });
      },
      onChunkComplete: (size) => {
        bytesSent += size;
      },
      onSuccess: ({ lastResponse }) =>
        resolve({
          requests,
          bytesSent,
          status: lastResponse.getStatus(),
          body: lastResponse.getBody(),
        }),
      onError: reject,
    });
    prepare(upload).then(() => upload.start(), reject);
  });
}
