import { TUS_PATH, UploadResult } from '@flickr-kit/sdk/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, notFound } from '../../domain/errors.ts';
import type { InFlightLimiter } from '../../domain/in-flight-limiter.ts';
import { authorize, type Principal } from '../../domain/principal.ts';
import type { ResumableUploads } from '../../domain/resumable-uploads.ts';
import { OffsetMismatchError, type UploadStatus } from '../../domain/upload-status.ts';
import type { UploadService } from '../../domain/uploads.ts';
import { idempotencyKeyOf } from '../plugins/idempotency.ts';
import {
  formatConcat,
  formatMetadata,
  integerHeader,
  OFFSET_CONTENT_TYPE,
  parseChecksum,
  parseConcat,
  parseMetadata,
  TUS_CHECKSUM_ALGORITHMS,
  TUS_EXTENSIONS,
  TUS_VERSION,
} from './tus-headers.ts';

export interface TusRoutesOptions {
  resumable: ResumableUploads;
  uploads: UploadService;
  limiter: InFlightLimiter;
  maxUploadBytes: number;
  /** How long a transfer over the user's limit waits for its turn before a 429. */
  uploadWaitMs: number;
  /** The server's public base URL, for absolute `Location`s; else the request's own origin. */
  publicUrl: string | undefined;
}

/** The header that names the photo a finished upload became. */
export const PHOTO_ID_HEADER = 'flickr-photo-id';

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type UploadRequest = FastifyRequest<{ Params: { id: string } }>;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Whether the request carries a body: a length above zero, or chunks of unknown length. */
const carriesBytes = (request: FastifyRequest) =>
  Number(request.headers['content-length'] ?? 0) > 0 ||
  request.headers['transfer-encoding'] !== undefined;

/** RFC 7240: the client asks for the upload's result in the answer (the SDK does). */
const wantsRepresentation = (request: FastifyRequest) =>
  /(^|[,;\s])return=representation\b/.test(header(request, 'prefer') ?? '');

/**
 * The method a request stands for. tus 1.0 core: a client whose runtime or
 * proxies cannot send PATCH or DELETE (tus-js-client's `overridePatchMethod`)
 * POSTs with `X-HTTP-Method-Override`, which the server takes as the method.
 */
const methodOf = (request: FastifyRequest) =>
  request.method === 'POST'
    ? (header(request, 'x-http-method-override')?.trim().toUpperCase() ?? 'POST')
    : request.method;

/**
 * The tus 1.0 endpoint (core, creation, creation-with-upload,
 * creation-defer-length, termination, expiration, checksum, concatenation),
 * under the API's authentication: a caller sees only its own uploads, and
 * every error is a problem document that also speaks tus (`Tus-Resumable`,
 * and `Upload-Offset` on a 409). The request that completes an upload is
 * the saga's pivot: `204`, or `200` with the recorded photo when the client
 * prefers `return=representation`; retried, it answers the same.
 */
export async function tusRoutes(app: FastifyInstance, options: TusRoutesOptions): Promise<void> {
  const { resumable, uploads, limiter } = options;

  // The protocol's bodies are read by the upload as streams, never buffered by Fastify.
  app.addContentTypeParser(OFFSET_CONTENT_TYPE, (_request, _payload, done) => done(null));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('tus-resumable', TUS_VERSION);
    const version = header(request, 'tus-resumable');
    // OPTIONS may come without it (it is how a client learns the versions); never with another.
    if (version !== TUS_VERSION && !(request.method === 'OPTIONS' && version === undefined)) {
      reply.header('tus-version', TUS_VERSION);
      throw new DomainError(
        'precondition_failed',
        version === undefined
          ? `Send Tus-Resumable: ${TUS_VERSION}: this is a tus endpoint`
          : `Tus-Resumable ${version} is not supported: this server speaks tus ${TUS_VERSION}`,
      );
    }
    // Checked before Fastify would parse a body of another type (and answer for its parser).
    const method = methodOf(request);
    const sendsBytes = method === 'PATCH' || (method === 'POST' && carriesBytes(request));
    if (sendsBytes && request.headers['content-type'] !== OFFSET_CONTENT_TYPE) {
      throw new DomainError(
        'unsupported_media_type',
        `Upload bytes are sent as ${OFFSET_CONTENT_TYPE}, not ${request.headers['content-type'] ?? 'without a Content-Type'}`,
      );
    }
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof OffsetMismatchError) reply.header('upload-offset', String(error.offset));
    // A body left unread (too long, a failed checksum): close rather than read the rest.
    if (!request.raw.complete) reply.header('connection', 'close');
    // The application's handler writes the problem document.
    throw error;
  });

  const caller = (request: FastifyRequest) => authorize(request.principal, 'write') as Principal;

  /**
   * Takes the user's transfer slot for a request that carries bytes, waiting
   * its turn (its body unread) while the user's other transfers run; gives
   * up at once if the client goes away meanwhile.
   */
  const transferSlot = async (request: FastifyRequest, principal: Principal) => {
    if (!carriesBytes(request)) return () => {};
    const gone = new AbortController();
    const onClose = () => gone.abort();
    request.raw.once('close', onClose);
    try {
      return await limiter.acquireWithin(principal.user.id, options.uploadWaitMs, gone.signal);
    } finally {
      request.raw.off('close', onClose);
    }
  };

  const uploadUrl = (request: FastifyRequest, id: string) =>
    `${options.publicUrl ?? `${request.protocol}://${request.host}`}${TUS_PATH}/${id}`;

  /** The headers every answer about an upload carries. */
  const describe = (reply: FastifyReply, status: UploadStatus) => {
    reply.header('upload-offset', String(status.offset));
    if (status.length === undefined) {
      if (status.concat?.kind !== 'final') reply.header('upload-defer-length', '1');
    } else reply.header('upload-length', String(status.length));
    if (status.expiresAt) reply.header('upload-expires', status.expiresAt.toUTCString());
    if (status.concat) reply.header('upload-concat', formatConcat(status.concat));
    if (status.outcome?.kind === 'photo') reply.header(PHOTO_ID_HEADER, status.outcome.photoId);
  };

  /** The answer to a request that may have completed the upload. */
  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    status: UploadStatus,
    plain: 201 | 204,
  ) => {
    describe(reply, status);
    const { outcome } = status;
    if (!outcome) return reply.code(plain).send();
    // A refused upload answers its problem, every time it is asked.
    if (outcome.kind === 'refused') throw new DomainError(outcome.code, outcome.detail);
    if (!wantsRepresentation(request)) return reply.code(plain).send();
    const result = await uploads.result(outcome, principal.user.id);
    reply.header('preference-applied', 'return=representation');
    return reply
      .code(plain === 201 ? 201 : 200)
      .type('application/json')
      .serializer(JSON.stringify)
      .send(UploadResult.parse(result));
  };

  const capabilities = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .headers({
        'tus-version': TUS_VERSION,
        'tus-extension': TUS_EXTENSIONS.join(','),
        'tus-max-size': String(options.maxUploadBytes),
        'tus-checksum-algorithm': TUS_CHECKSUM_ALGORITHMS,
      })
      .send();

  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = caller(request);
    const concat = parseConcat(header(request, 'upload-concat'));
    const length = integerHeader(header(request, 'upload-length'), 'Upload-Length');
    const deferred = header(request, 'upload-defer-length');
    if (deferred !== undefined && deferred !== '1')
      throw new DomainError('bad_request', 'Upload-Defer-Length: the only value is 1');
    if (concat?.kind === 'final') {
      if (length !== undefined || deferred !== undefined)
        throw new DomainError('bad_request', 'A final upload takes its length from its parts');
    } else if ((length === undefined) === (deferred === undefined)) {
      throw new DomainError('bad_request', 'Send Upload-Length, or Upload-Defer-Length: 1');
    }
    const withBytes = carriesBytes(request);
    if (withBytes && concat?.kind === 'final')
      throw new DomainError('bad_request', 'A final upload carries no bytes of its own');
    const checksum = parseChecksum(header(request, 'upload-checksum'));
    const release = await transferSlot(request, principal);
    try {
      let status: UploadStatus = await resumable.create(principal, {
        length,
        metadata: parseMetadata(header(request, 'upload-metadata')),
        concat,
        idempotencyKey: idempotencyKeyOf(request),
      });
      reply.header('location', uploadUrl(request, status.id));
      // A replayed creation answers with the upload the first one made; its bytes stay unread.
      if (withBytes && 'replayed' in status) reply.header('connection', 'close');
      else if (withBytes) {
        status = await resumable.append(principal, status.id, {
          offset: 0,
          body: request.raw,
          bodyBytes: integerHeader(header(request, 'content-length'), 'Content-Length'),
          checksum,
        });
      }
      return await answer(request, reply, principal, status, 201);
    } finally {
      release();
    }
  };

  const uploadId = (request: UploadRequest) => {
    if (!UPLOAD_ID.test(request.params.id)) throw notFound('Upload');
    return request.params.id;
  };

  const head = async (request: UploadRequest, reply: FastifyReply) => {
    const status = await resumable.status(caller(request), uploadId(request));
    describe(reply, status);
    reply.header('upload-metadata', formatMetadata(status.metadata));
    return reply.code(200).header('cache-control', 'no-store').send();
  };

  const append = async (request: UploadRequest, reply: FastifyReply) => {
    const principal = caller(request);
    const id = uploadId(request);
    const offset = integerHeader(header(request, 'upload-offset'), 'Upload-Offset');
    if (offset === undefined) throw new DomainError('bad_request', 'Send Upload-Offset');
    const input = {
      offset,
      length: integerHeader(header(request, 'upload-length'), 'Upload-Length'),
      body: request.raw,
      bodyBytes: integerHeader(header(request, 'content-length'), 'Content-Length'),
      checksum: parseChecksum(header(request, 'upload-checksum')),
    };
    const release = await transferSlot(request, principal);
    try {
      return await answer(
        request,
        reply,
        principal,
        await resumable.append(principal, id, input),
        204,
      );
    } finally {
      release();
    }
  };

  const terminate = async (request: UploadRequest, reply: FastifyReply) => {
    await resumable.terminate(caller(request), uploadId(request));
    return reply.code(204).send();
  };

  const notAllowed = (allow: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('allow', allow);
    throw new DomainError(
      'method_not_allowed',
      `${methodOf(request)} is not part of tus here: use ${allow}`,
    );
  };

  /** A POST that stands for another method (`X-HTTP-Method-Override`) goes where that one would. */
  const post =
    (
      allow: string,
      routes: Record<string, (request: UploadRequest, reply: FastifyReply) => Promise<unknown>>,
    ) =>
    async (request: UploadRequest, reply: FastifyReply) => {
      const route = routes[methodOf(request)];
      return route ? route(request, reply) : notAllowed(allow)(request, reply);
    };

  const endpointMethods = 'OPTIONS, POST';
  for (const path of [TUS_PATH, `${TUS_PATH}/`]) {
    app.options(path, capabilities);
    app.post(path, post(endpointMethods, { POST: create }));
    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url: path,
      handler: notAllowed(endpointMethods),
    });
  }
  const one = `${TUS_PATH}/:id`;
  const uploadMethods = 'OPTIONS, HEAD, PATCH, DELETE';
  app.options(one, capabilities);
  app.head(one, head);
  app.patch(one, append);
  app.delete(one, terminate);
  app.post(one, post(uploadMethods, { PATCH: append, DELETE: terminate }));
  app.route({ method: ['GET', 'PUT'], url: one, handler: notAllowed(uploadMethods) });
}
