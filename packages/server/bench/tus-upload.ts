// One upload with the real tus-js-client, from a file (streamed from disk
// by byte range, never held in memory) or from memory.
import { createReadStream } from 'node:fs';
import { TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import * as tus from 'tus-js-client';

export interface BenchUploadOptions {
  token: string;
  sha256: string;
  filename?: string;
  /** Bytes per PATCH; unset, tus-js-client sends the whole file in one PATCH. */
  chunkSize?: number;
  /** Sends the first chunk with the creation request, as the SDK does. */
  uploadDataDuringCreation?: boolean;
  /** Sends the file as this many partial uploads at once, then a final concatenation. */
  parallelUploads?: number;
}

/** Uploads a file (by path) or bytes; resolves with the pivot's answer once it arrives. */
export function tusUpload(
  baseUrl: string,
  source: string | Buffer,
  options: BenchUploadOptions,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(typeof source === 'string' ? createReadStream(source) : source, {
      endpoint: `${baseUrl}${TUS_PATH}/`,
      // The pivot's answer in the body (RFC 7240), as the SDK asks: without it, a bare 204.
      headers: { authorization: `Bearer ${options.token}`, prefer: 'return=representation' },
      metadata: { filename: options.filename ?? 'photo.jpg', sha256: options.sha256 },
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      uploadDataDuringCreation: options.uploadDataDuringCreation ?? false,
      ...(options.parallelUploads ? { parallelUploads: options.parallelUploads } : {}),
      storeFingerprintForResuming: false,
      retryDelays: [],
      onSuccess: ({ lastResponse }) => {
        const status = lastResponse.getStatus();
        if (status === 200 || status === 201)
          resolve(JSON.parse(lastResponse.getBody()) as UploadResult);
        else reject(new Error(`upload answered ${status}: ${lastResponse.getBody()}`));
      },
      onError: reject,
    });
    upload.start();
  });
}
