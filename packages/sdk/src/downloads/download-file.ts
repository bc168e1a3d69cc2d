import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Photo } from '../contract/photos.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { AbortError, FlickrError, IntegrityError, NotFoundError } from '../errors.ts';

/** `original`, or the name of a rendition such as `thumbnail`. */
export type Resolution = string;

export interface DownloadOptions extends RequestOptions {
  resolution?: Resolution;
  /** Where to write the file. */
  to: string;
  onProgress?: (bytes: number, total: number) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** The file was already there with the right content: nothing was transferred. */
  skipped: boolean;
  /** Bytes that crossed the network (less than `bytes` after a resume). */
  transferred: number;
  /** The SHA-256 the file was verified against (originals only). */
  sha256?: string;
}

/** How many times a download that broke off is resumed before giving up. */
const RESUMES = 3;

/** What a resolution of a photo is: where to fetch it and what it must be. */
export function fileOf(
  photo: Photo,
  resolution: Resolution,
): { url: string; bytes: number; sha256?: string } {
  if (resolution === 'original') {
    if (!photo.originalUrl)
      throw new NotFoundError(404, undefined, `photo ${photo.id} has no stored original yet`);
    // A caller who may not see the location gets a copy without GPS, whose
    // digest the photo names once known; the download's Repr-Digest names it anyway.
    return {
      url: photo.originalUrl,
      bytes: photo.bytes,
      sha256: photo.originalSha256 ?? photo.sha256,
    };
  }
  const rendition = photo.renditions.find((r) => r.name === resolution);
  if (!rendition)
    throw new NotFoundError(
      404,
      undefined,
      `photo ${photo.id} has no "${resolution}" rendition (yet)`,
    );
  return { url: rendition.url, bytes: rendition.bytes };
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** True when `path` already holds exactly this file. */
export async function holds(
  path: string,
  expected: { bytes: number; sha256?: string },
): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== expected.bytes) return false;
  return expected.sha256 === undefined || (await sha256Of(path)) === expected.sha256;
}

/**
 * Downloads one file of a photo: atomically (a `.partial` file renamed into
 * place), resuming a partial file with a Range request, and verifying the
 * size and, for originals, the SHA-256. A file already in place with the
 * right content is not downloaded again.
 */
export async function downloadFile(
  transport: Transport,
  photo: Photo,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const file = fileOf(photo, options.resolution ?? 'original');
  if (await holds(options.to, file))
    return {
      path: options.to,
      bytes: file.bytes,
      skipped: true,
      transferred: 0,
      ...(file.sha256 ? { sha256: file.sha256 } : {}),
    };
  await mkdir(dirname(options.to), { recursive: true });
  const partial = `${options.to}.partial`;
  // Originals are verified while they stream in: one pass over the bytes, not two.
  const digest: RunningDigest | undefined = file.sha256
    ? { hash: createHash('sha256'), bytes: 0, expected: file.sha256 }
    : undefined;
  let transferred = await fetchResuming(transport, file, partial, options, digest);
  if (digest?.blind && digest.hash.copy().digest('hex') !== digest.expected) {
    // The partial file an earlier run left was of the other representation: start afresh, once.
    await rm(partial, { force: true });
    digest.blind = false;
    transferred += await fetchResuming(transport, file, partial, options, digest);
  }
  const size = (await stat(partial)).size;
  if (size !== file.bytes || (digest && digest.hash.digest('hex') !== digest.expected)) {
    await rm(partial, { force: true });
    throw new IntegrityError(
      `Downloaded ${size} bytes for ${options.to} that do not match the photo (${file.bytes} bytes expected)`,
    );
  }
  await rename(partial, options.to);
  return {
    path: options.to,
    bytes: file.bytes,
    skipped: false,
    transferred,
    ...(digest ? { sha256: digest.expected } : {}),
  };
}

/** Fetches what the partial file lacks, resuming up to {@link RESUMES} times; returns the bytes transferred. */
async function fetchResuming(
  transport: Transport,
  file: { url: string; bytes: number },
  partial: string,
  options: DownloadOptions,
  digest: RunningDigest | undefined,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchInto(transport, file, partial, options, digest);
    } catch (error) {
      const resumable = !(error instanceof FlickrError) || error.name === 'ConnectionError';
      if (!resumable || attempt >= RESUMES || options.signal?.aborted) {
        if (options.signal?.aborted)
          throw new AbortError('The download was aborted', { cause: error });
        throw error;
      }
    }
  }
}

/**
 * A SHA-256 fed with the first `bytes` bytes of the partial file, and the
 * digest the file must have: the photo's, until the server names the one of
 * what it serves (`Repr-Digest`, RFC 9530): a copy of an original without its
 * GPS fields, for a caller who may not see the photo's location.
 */
interface RunningDigest {
  hash: Hash;
  bytes: number;
  expected: string;
  /**
   * The partial file was resumed without knowing which representation its
   * first bytes are of (an earlier run wrote them): the final check tells.
   */
  blind?: boolean;
  /** `expected` is what the server said it serves, not only the photo's digest. */
  learned?: boolean;
}

/** The SHA-256 of a `Repr-Digest` header, as lowercase hex; undefined without one. */
function reprSha256(header: string | null): string | undefined {
  const match = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+={0,2}):/.exec(header ?? '');
  return match ? Buffer.from(match[1] as string, 'base64').toString('hex') : undefined;
}

/**
 * Appends the missing bytes to the partial file, feeding them to the digest;
 * returns how many were transferred. A digest that is not exactly at the
 * partial file's end (a resumed file, a write that failed) is rebuilt from it.
 */
async function fetchInto(
  transport: Transport,
  file: { url: string; bytes: number },
  partial: string,
  options: DownloadOptions,
  digest: RunningDigest | undefined,
): Promise<number> {
  let have = (await stat(partial).catch(() => undefined))?.size ?? 0;
  if (have > file.bytes) {
    await rm(partial, { force: true });
    have = 0;
  }
  if (digest && digest.bytes !== have) {
    digest.hash = createHash('sha256');
    digest.bytes = 0;
    if (have > 0) {
      for await (const chunk of createReadStream(partial, { end: have - 1 }))
        digest.hash.update(chunk as Buffer);
      digest.bytes = have;
    }
  }
  if (have === file.bytes) return 0;
  const response = await transport.send(
    file.url,
    { method: 'GET', withToken: false, headers: have > 0 ? { range: `bytes=${have}-` } : {} },
    { ...options, timeout: options.timeout ?? 10 * 60_000 },
  );
  const served = reprSha256(response.headers.get('repr-digest'));
  if (digest && served && served !== digest.expected) {
    if (response.status === 206 && digest.learned) {
      // This download's first bytes came with another digest (the owner changed
      // who sees the location meanwhile): the two cannot be joined. Start over.
      await response.body?.cancel();
      await rm(partial, { force: true });
      digest.expected = served;
      throw new Error('The file changed representation while it was resumed');
    }
    if (response.status === 206) digest.blind = true;
    digest.expected = served;
  }
  if (digest && served) digest.learned = true;
  // A server that ignores the Range header sends the whole file: start over.
  const offset = response.status === 206 ? have : 0;
  if (digest && offset === 0 && digest.bytes > 0) {
    digest.hash = createHash('sha256');
    digest.bytes = 0;
  }
  if (!response.body) throw new FlickrError('The download has no body');
  let received = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (digest) {
        digest.hash.update(chunk);
        digest.bytes += chunk.length;
      }
      options.onProgress?.(offset + received, file.bytes);
      callback(null, chunk);
    },
  });
  // Opened before the first byte is counted, so progress is only ever
  // reported for bytes on their way into a partial file that exists.
  const sink = await open(partial, offset > 0 ? 'a' : 'w');
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    counting,
    sink.createWriteStream(),
    options.signal ? { signal: options.signal } : {},
  );
  return received;
}
