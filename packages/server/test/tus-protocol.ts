// Raw tus 1.0 requests for tests that must send what no well-behaved client
// sends: wrong offsets, missing headers, bodies cut off mid-transfer.
import { request } from 'node:http';
import { TUS_PATH } from '@flickr-kit/sdk/contract';
import { eventually } from './harness.ts';
import { sha256 } from './uploads.ts';

const TUS_VERSION = '1.0.0';

/** Encodes Upload-Metadata: comma-separated `key base64(value)` pairs. */
export function uploadMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** POSTs a creation request; the caller checks the answer. */
export function createUploadRequest(
  baseUrl: string,
  token: string | undefined,
  length: number,
  metadata: Record<string, string>,
): Promise<Response> {
  return fetch(`${baseUrl}${TUS_PATH}/`, {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'tus-resumable': TUS_VERSION,
      'upload-length': String(length),
      'upload-metadata': uploadMetadata(metadata),
    },
  });
}

/** Creates an upload for `data` (declaring its real hash unless told otherwise) and returns its URL. */
export async function createUpload(
  baseUrl: string,
  token: string,
  data: Buffer,
  metadata: Record<string, string> = {},
): Promise<string> {
  const response = await createUploadRequest(baseUrl, token, data.length, {
    filename: 'photo.jpg',
    sha256: sha256(data),
    ...metadata,
  });
  if (response.status !== 201)
    throw new Error(`creation answered ${response.status}: ${await response.text()}`);
  return new URL(response.headers.get('location') ?? '', `${baseUrl}${TUS_PATH}/`).toString();
}

/** What the server holds of an upload, by HEAD. */
export async function headUpload(
  url: string,
  token: string,
): Promise<{ status: number; offset: number; length: number; response: Response }> {
  const response = await fetch(url, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': TUS_VERSION },
  });
  return {
    status: response.status,
    offset: Number(response.headers.get('upload-offset')),
    length: Number(response.headers.get('upload-length')),
    response,
  };
}

/** Sends bytes at an offset; `headers` overrides (or, set to null, removes) the defaults. */
export function patchUpload(
  url: string,
  token: string,
  offset: number,
  body: Uint8Array,
  headers: Record<string, string | null> = {},
): Promise<Response> {
  const all: Record<string, string | null> = {
    authorization: `Bearer ${token}`,
    'tus-resumable': TUS_VERSION,
    prefer: 'return=representation',
    'upload-offset': String(offset),
    'content-type': 'application/offset+octet-stream',
    ...headers,
  };
  return fetch(url, {
    method: 'PATCH',
    headers: Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null),
    ),
    body,
  });
}

/**
 * A PATCH that announces the whole rest of the file but sends only `sent`
 * bytes, waits until `landed()` says the server stored some, then drops the
 * connection, as a client does when it dies mid-chunk.
 */
export async function patchCutOff(
  url: string,
  token: string,
  offset: number,
  rest: Buffer,
  sent: number,
  landed: () => Promise<boolean>,
): Promise<void> {
  const patch = request(url, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': TUS_VERSION,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(rest.length),
    },
  });
  const closed = new Promise((resolve) => patch.once('close', resolve));
  patch.on('error', () => {});
  patch.on('response', (response) => response.resume());
  patch.write(rest.subarray(0, sent));
  await eventually(async () => ((await landed()) ? true : undefined), 10_000, 'bytes on disk');
  patch.destroy();
  await closed;
}

/** Any tus request, with the version header and the token; `headers` add to them (null removes). */
export function tusRequest(
  url: string,
  method: string,
  token: string | undefined,
  headers: Record<string, string | null> = {},
  body?: Uint8Array,
): Promise<Response> {
  const all: Record<string, string | null> = {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    'tus-resumable': TUS_VERSION,
    ...(body ? { 'content-type': 'application/offset+octet-stream' } : {}),
    ...headers,
  };
  return fetch(url, {
    method,
    headers: Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null),
    ),
    ...(body ? { body } : {}),
  });
}

/** The upload URL a creation answered with (absolute). */
export function locationOf(response: Response): string {
  const location = response.headers.get('location');
  if (!location) throw new Error(`no Location in a ${response.status} answer`);
  return location;
}
