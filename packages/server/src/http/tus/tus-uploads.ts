import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { TUS_PATH, UploadResult } from '@flickr-kit/sdk/contract';
import { Server as TusServer } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { DomainError, notFound } from '../../domain/errors.ts';
import { uuidv7 } from '../../domain/ids.ts';
import type { InFlightLimiter } from '../../domain/in-flight-limiter.ts';
import { authorize, type Principal } from '../../domain/principal.ts';
import type { UploadService } from '../../domain/uploads.ts';
import type { UploadRepository } from '../../ports/metadata-store.ts';
import { problem } from '../problem.ts';
import type { HashingFileStore } from './hashing-file-store.ts';
import { requestBodyStream } from './request-body-stream.ts';
import { asProblem } from './tus-problems.ts';

export interface TusUploadsOptions {
  uploads: UploadService;
  staging: HashingFileStore;
  uploadRecords: UploadRepository;
  limiter: InFlightLimiter;
  maxUploadBytes: number;
}

interface Caller {
  principal: Principal;
  request: FastifyRequest;
}

/** Who sent a request, for the tus hooks, which see only tus's view of it. */
const callers = new WeakMap<IncomingMessage, Caller>();

function callerOf(request: Request): Caller {
  const raw = (request as { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req;
  const caller = raw && callers.get(raw);
  if (!caller) throw new Error('tus request without an authenticated caller');
  return caller;
}

/** Lets a domain error out of a tus hook as a problem document with its status. */
function hookError(request: FastifyRequest, error: unknown): never {
  if (error instanceof DomainError) {
    throw {
      status_code: error.status,
      body: JSON.stringify(problem(request, { code: error.code, detail: error.message })),
    };
  }
  throw error;
}

/**
 * The tus 1.0 endpoint (core, creation, creation-with-upload, termination,
 * expiration) under the API's authentication: a caller sees only its own
 * uploads, and every error is a problem document. The final PATCH is the
 * saga's pivot and answers with the recorded photo.
 */
export async function tusUploads(app: FastifyInstance, options: TusUploadsOptions): Promise<void> {
  const { uploads, staging, uploadRecords, limiter } = options;

  const tus = new TusServer({
    path: TUS_PATH,
    datastore: staging,
    maxSize: options.maxUploadBytes,
    relativeLocation: true,
    namingFunction: () => uuidv7(),
    onUploadCreate: async (tusRequest, upload) => {
      const { principal, request } = callerOf(tusRequest);
      try {
        await uploads.admit(principal, upload.metadata ?? {}, upload.size);
      } catch (error) {
        hookError(request, error);
      }
      return { metadata: { ...upload.metadata, owner: principal.user.id } };
    },
    onUploadFinish: async (tusRequest, upload) => {
      const { principal, request } = callerOf(tusRequest);
      try {
        const result = await uploads.complete({
          id: upload.id,
          ownerId: principal.user.id,
          size: upload.size ?? upload.offset,
          metadata: upload.metadata ?? {},
          sha256: staging.digest(upload.id, upload.size ?? upload.offset),
        });
        // After a finishing POST, tus re-reads the upload to announce its expiry, but a
        // finished upload has none, and a duplicate's is already gone (the pivot removed
        // it): without a creation date tus skips that, instead of answering 404.
        if (tusRequest.method === 'POST') upload.creation_date = undefined;
        return {
          // Creation-with-upload that completes at once must stay a 201 with its Location.
          status_code: tusRequest.method === 'POST' ? 201 : 200,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(UploadResult.parse(result)),
        };
      } catch (error) {
        return hookError(request, error);
      }
    },
  });

  // tus reads PATCH and POST bodies itself, as streams.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) =>
    done(null),
  );

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let release: (() => void) | undefined;
    const uploadId = request.url.split('?')[0]?.slice(TUS_PATH.length + 1);
    if (request.method !== 'OPTIONS') {
      const principal = authorize(request.principal, 'write') as Principal;
      if (uploadId) {
        const record = await uploadRecords.byId(uploadId);
        if (!record || record.ownerId !== principal.user.id) throw notFound('Upload');
      }
      // Every request that carries bytes takes the user's transfer slot: a POST
      // (creation-with-upload) does when it has a length, or is chunked and has none.
      const carriesBytes =
        Number(request.headers['content-length'] ?? 0) > 0 ||
        request.headers['transfer-encoding'] !== undefined;
      if (request.method === 'PATCH' || (request.method === 'POST' && carriesBytes)) {
        release = limiter.acquire(principal.user.id);
      }
      callers.set(request.raw, { principal, request });
    }
    reply.hijack();
    const webRequest = new NodeRequest({ req: request.raw, res: reply.raw });
    // Made on first use, as srvx does, but without copying every chunk (see request-body-stream.ts).
    let body: ReadableStream<Uint8Array> | undefined;
    if (request.method === 'PATCH' || request.method === 'POST') {
      Object.defineProperty(webRequest, 'body', {
        get: () => {
          body ??= requestBodyStream(request.raw);
          return body;
        },
      });
    }
    try {
      const response = await tus.handleWeb(webRequest);
      reportExpiry(response, staging, uploadId);
      await Promise.race([
        sendNodeResponse(reply.raw, await asProblem(request, response)),
        // A client that hung up mid-PATCH leaves a response that never finishes, and
        // srvx waits for it forever: stop at close, or the user's upload slot leaks.
        finished(reply.raw).catch(() => {}),
      ]);
    } finally {
      release?.();
    }
  };
  app.all(TUS_PATH, handler);
  app.all(`${TUS_PATH}/*`, handler);
}

/**
 * Sets `Upload-Expires` to the expiry the request's write left behind: tus
 * reports the one from before the write, while expiry counts from the last
 * bytes received. The upload is the request's own (PATCH) or the one it
 * created (POST with creation-with-upload).
 */
function reportExpiry(
  response: Response,
  staging: HashingFileStore,
  uploadId: string | undefined,
): void {
  const id = uploadId || response.headers.get('location')?.split('/').at(-1);
  const expires = id ? staging.takeExpiry(id) : undefined;
  if (expires && response.headers.has('upload-expires'))
    response.headers.set('upload-expires', expires.toUTCString());
}
