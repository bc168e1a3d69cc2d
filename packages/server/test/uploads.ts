// Upload helpers for tests: real tus-js-client uploads of generated images.
import { createHash } from 'node:crypto';
import { TUS_PATH, type UploadResult } from '@flickr-kit/sdk/contract';
import sharp from 'sharp';
import * as tus from 'tus-js-client';

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A JPEG with unique content per seed, so each one is a new photo to the server. */
export function testPhoto(seed: number, width = 640, height = 480): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = (x + seed * 31) & 0xff;
      pixels[at + 1] = (y + seed * 17) & 0xff;
      pixels[at + 2] = ((x ^ y) + seed) & 0xff;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export interface TusUploadOptions {
  token: string;
  metadata?: Record<string, string>;
  chunkSize?: number;
}

/** Uploads bytes with the real tus-js-client and returns the pivot's answer. */
export function tusUpload(
  baseUrl: string,
  data: Buffer,
  options: TusUploadOptions,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: `${baseUrl}${TUS_PATH}/`,
      // The pivot's answer in the body (RFC 7240): without it a final PATCH is a bare 204.
      headers: { authorization: `Bearer ${options.token}`, prefer: 'return=representation' },
      metadata: { filename: 'photo.jpg', sha256: sha256(data), ...options.metadata },
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      retryDelays: [],
      onSuccess: ({ lastResponse }) =>
        resolve({ status: lastResponse.getStatus(), body: lastResponse.getBody() }),
      onError: reject,
    });
    upload.start();
  });
}

export async function uploadPhoto(
  baseUrl: string,
  data: Buffer,
  options: TusUploadOptions,
): Promise<UploadResult> {
  const { status, body } = await tusUpload(baseUrl, data, options);
  if (status !== 200) throw new Error(`upload answered ${status}: ${body}`);
  return JSON.parse(body) as UploadResult;
}
