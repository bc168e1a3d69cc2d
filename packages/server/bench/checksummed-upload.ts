// A raw tus client that sends `Upload-Checksum` with every PATCH, as the
// checksum extension has it (tus-js-client computes none): a creation, then
// one PATCH per chunk, each body streamed from disk by byte range.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { TUS_PATH } from '@flickr-kit/sdk/contract';
import type { ChecksumAlgorithm } from '../src/domain/upload-checksum.ts';

/** A file cut into chunks, with each chunk's digest when checksums are on. */
export interface ChunkedFile {
  path: string;
  bytes: number;
  chunkSize: number;
  /** One `Upload-Checksum` value per chunk, or undefined to send none. */
  checksums: string[] | undefined;
}

/**
 * Reads a file once and computes each chunk's `Upload-Checksum` value, as a
 * client does before it sends the chunk; undefined algorithm: no checksums.
 */
export async function chunkFile(
  path: string,
  bytes: number,
  chunkSize: number,
  algorithm: ChecksumAlgorithm | undefined,
): Promise<ChunkedFile> {
  if (!algorithm) return { path, bytes, chunkSize, checksums: undefined };
  const checksums: string[] = [];
  for (let start = 0; start < bytes; start += chunkSize) {
    const hash = createHash(algorithm);
    const end = Math.min(bytes, start + chunkSize) - 1;
    for await (const chunk of createReadStream(path, { start, end })) hash.update(chunk as Buffer);
    checksums.push(`${algorithm} ${hash.digest('base64')}`);
  }
  return { path, bytes, chunkSize, checksums };
}

const agent = new http.Agent({ keepAlive: true });

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: { path: string; start: number; end: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    request.on('error', reject);
    if (!body) request.end();
    else
      pipeline(
        createReadStream(body.path, { start: body.start, end: body.end - 1 }),
        request,
      ).catch(reject);
  });
}

/** Uploads the file: resolves with the photo id the last PATCH answered with. */
export async function checksummedUpload(
  baseUrl: string,
  token: string,
  file: ChunkedFile,
): Promise<string> {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const created = await send(`${baseUrl}${TUS_PATH}/`, 'POST', {
    ...auth,
    'upload-length': String(file.bytes),
    'upload-metadata': `filename ${Buffer.from('noise.png').toString('base64')}`,
  });
  const location = created.headers.location;
  if (created.status !== 201 || !location)
    throw new Error(`creation answered ${created.status}: ${created.body}`);
  let last: Answer | undefined;
  for (let start = 0, i = 0; start < file.bytes; start += file.chunkSize, i++) {
    const end = Math.min(file.bytes, start + file.chunkSize);
    const checksum = file.checksums?.[i];
    last = await send(
      location,
      'PATCH',
      {
        ...auth,
        'upload-offset': String(start),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(end - start),
        ...(checksum ? { 'upload-checksum': checksum } : {}),
      },
      { path: file.path, start, end },
    );
    if (last.status !== 204) throw new Error(`PATCH answered ${last.status}: ${last.body}`);
  }
  const photoId = last?.headers['flickr-photo-id'];
  if (typeof photoId !== 'string') throw new Error('the last PATCH named no photo');
  return photoId;
}

/** Closes the kept-alive connections, so the process can exit. */
export function closeConnections(): void {
  agent.destroy();
}
