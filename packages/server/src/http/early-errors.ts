import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorCode, PROBLEM_CONTENT_TYPE } from '@flickr-kit/sdk/contract';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import { type ProblemInput, problemDocument, sendProblem } from './problem.ts';
import { requestIdOf } from './request-id.ts';

/** The router's own errors, raised before a route is chosen. */
function routerProblem(error: FastifyError): ProblemInput {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return {
        code: 'bad_request',
        detail:
          'The URL path holds a malformed percent-encoding: each escaped byte is "%" and two hex digits, and together they must be UTF-8',
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        code: 'uri_too_long',
        detail: 'A segment of the URL path is longer than any identifier of this API',
      };
    default:
      return { code: 'bad_request', detail: 'The request cannot be routed' };
  }
}

/** What Node's HTTP parser refused, by its error code: the request never became one. */
const PARSER_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'headers_too_large',
    detail:
      'The request line and headers together exceed 64 KiB: send a shorter URL or fewer headers',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: 'request_timeout',
    detail: 'The request did not arrive in time',
  },
};
const MALFORMED = { code: 'bad_request', detail: 'The request is not valid HTTP/1.1' } as const;

/**
 * Answers a request Node's HTTP parser refused (malformed request line or
 * header, an unknown method, headers over the limit) with a problem
 * document written on the socket, as Fastify's own handler writes its
 * plain JSON. The connection is closed after it: the parser cannot find
 * where the next request would start.
 */
function answerMalformedRequest(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = requestIdOf(undefined);
  const { code, detail } = PARSER_ERRORS[error.code ?? ''] ?? MALFORMED;
  const document = problemDocument(requestId, { code, detail });
  this.log.info({ reqId: requestId, err: error, code }, 'malformed request refused');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(document);
  socket.end(
    `HTTP/1.1 ${document.status} ${STATUS_CODES[document.status]}\r\n` +
      `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Fastify options that answer with problem documents the errors raised
 * before any route or hook runs: the router's (a malformed percent-encoding
 * in the path is a 400, a path segment over `maxParamLength` a 414) and the
 * HTTP parser's (431 for headers over the limit, 400 for the rest), which
 * Fastify would otherwise answer in plain JSON of its own.
 */
export const earlyErrors = {
  frameworkErrors: (error, request, reply) => {
    const input = routerProblem(error);
    request.log.info({ code: input.code, err: error }, 'request refused by the router');
    // Answered outside any route: the hook that sets this on every other answer does not run.
    reply.header('x-request-id', request.id);
    sendProblem(request, reply, input);
  },
  clientErrorHandler: answerMalformedRequest,
} satisfies Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'>;
