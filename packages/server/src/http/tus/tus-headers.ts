import { TUS_PATH } from '@flickr-kit/sdk/contract';
import { DomainError } from '../../domain/errors.ts';
import {
  type BodyChecksum,
  CHECKSUM_ALGORITHMS,
  isChecksumAlgorithm,
} from '../../domain/upload-checksum.ts';
import type { Concatenation } from '../../domain/upload-status.ts';

// Reading and writing the tus 1.0 headers. Every malformed value is a 400
// that names the header; nothing here knows about uploads themselves.

export const TUS_VERSION = '1.0.0';

/** What `Tus-Extension` advertises: exactly what the endpoint does. */
export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'termination',
  'expiration',
  'checksum',
  'concatenation',
] as const;

export const TUS_CHECKSUM_ALGORITHMS = CHECKSUM_ALGORITHMS.join(',');

export const OFFSET_CONTENT_TYPE = 'application/offset+octet-stream';

const bad = (header: string, why: string) => new DomainError('bad_request', `${header}: ${why}`);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const METADATA_KEY = /^[\x21-\x2b\x2d-\x7e]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A non-negative integer header, or undefined when absent. */
export function integerHeader(value: string | undefined, header: string): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw bad(header, `"${value}" is not a non-negative integer`);
  return number;
}

/** `Upload-Metadata`: comma-separated `key base64(value)` pairs, values UTF-8. */
export function parseMetadata(value: string | undefined): Record<string, string | null> {
  const metadata: Record<string, string | null> = {};
  if (value === undefined || value.trim() === '') return metadata;
  for (const pair of value.split(',')) {
    const [key, encoded, ...rest] = pair.trim().split(' ');
    if (!key || !METADATA_KEY.test(key) || rest.length > 0)
      throw bad('Upload-Metadata', `"${pair.trim()}" is not "key base64value"`);
    if (Object.hasOwn(metadata, key)) throw bad('Upload-Metadata', `"${key}" appears twice`);
    if (encoded === undefined || encoded === '') {
      metadata[key] = null;
      continue;
    }
    if (!BASE64.test(encoded)) throw bad('Upload-Metadata', `the value of "${key}" is not base64`);
    try {
      metadata[key] = utf8.decode(Buffer.from(encoded, 'base64'));
    } catch {
      throw bad('Upload-Metadata', `the value of "${key}" is not UTF-8 text`);
    }
  }
  return metadata;
}

export function formatMetadata(metadata: Record<string, string | null>): string {
  return Object.entries(metadata)
    .map(([key, value]) =>
      value === null ? key : `${key} ${Buffer.from(value).toString('base64')}`,
    )
    .join(',');
}

/** `Upload-Checksum: <algorithm> <base64 digest>`; an algorithm not offered is a 400, as tus says. */
export function parseChecksum(value: string | undefined): BodyChecksum | undefined {
  if (value === undefined) return undefined;
  const [algorithm, digest, ...rest] = value.trim().split(' ');
  if (!algorithm || !digest || rest.length > 0 || !BASE64.test(digest))
    throw bad('Upload-Checksum', 'expected "<algorithm> <base64 digest>"');
  if (!isChecksumAlgorithm(algorithm)) {
    throw bad('Upload-Checksum', `"${algorithm}" is not one of ${TUS_CHECKSUM_ALGORITHMS}`);
  }
  return { algorithm, digest: Buffer.from(digest, 'base64') };
}

/** The upload id an upload URL (absolute, or a path) names on this endpoint. */
function uploadIdOf(url: string): string {
  let path: string;
  try {
    path = new URL(url, 'http://host').pathname;
  } catch {
    throw bad('Upload-Concat', `"${url}" is not a URL`);
  }
  const prefix = `${TUS_PATH}/`;
  const id = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  if (!/^[0-9a-f-]{36}$/.test(id))
    throw bad('Upload-Concat', `"${url}" is not an upload of this server`);
  return id;
}

/** `Upload-Concat: partial`, or `final;<url> <url>…`. */
export function parseConcat(value: string | undefined): Concatenation | undefined {
  if (value === undefined) return undefined;
  if (value === 'partial') return { kind: 'partial' };
  if (!value.startsWith('final;'))
    throw bad('Upload-Concat', 'expected "partial" or "final;<urls>"');
  const urls = value.slice('final;'.length).trim().split(/ +/).filter(Boolean);
  if (urls.length === 0) throw bad('Upload-Concat', 'a final upload names its partial uploads');
  return { kind: 'final', parts: urls.map(uploadIdOf) };
}

/** `Upload-Concat` as HEAD reports it, with the parts' URLs as paths on this server. */
export function formatConcat(concat: Concatenation): string {
  return concat.kind === 'partial'
    ? 'partial'
    : `final;${concat.parts.map((id) => `${TUS_PATH}/${id}`).join(' ')}`;
}
