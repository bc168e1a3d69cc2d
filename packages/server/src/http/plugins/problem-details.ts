import type { ErrorCode } from '@flickr-kit/sdk/contract';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';
import { type ProblemInput, sendProblem, statusOf } from '../problem.ts';
import { RouteMethods } from '../route-methods.ts';
import { RequestValidationError } from '../zod-type-provider.ts';

/**
 * Fastify's own client errors, by their code, and the detail to answer with:
 * Fastify's message (safe to show) unless the entry has a clearer one.
 */
const FASTIFY_CODES: Record<string, { code: ErrorCode; detail?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'No body of this Content-Type is read here: send application/json',
  },
  FST_ERR_NOT_FOUND: { code: 'not_found' },
};

function toProblem(error: FastifyError | Error): ProblemInput | undefined {
  if (error instanceof DomainError) {
    return { code: error.code, detail: error.message, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof RequestValidationError) {
    return {
      code: 'validation_failed',
      detail: error.message,
      errors: error.issues.map((issue) => ({
        path: [error.part, ...issue.path].join('.'),
        message: issue.message,
      })),
    };
  }
  const fastifyError = error as FastifyError;
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return { code: mapped.code, detail: mapped.detail ?? error.message };
  // Rate limits answer with their own DomainError (rate-limits.ts); any other 429 has
  // set its Retry-After on the reply already, and a made-up one would contradict it.
  if (fastifyError.statusCode === 429) return { code: 'rate_limited', detail: error.message };
  // A SyntaxError is not the client's unless a parser said so with a 4xx: one thrown by
  // a handler (stored JSON that does not parse) is the server's, and its text stays in the log.
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { code: 'bad_request', detail: error.message };
  }
  return undefined;
}

/**
 * The detail of every 5xx: generic, with the request id. What failed (a
 * driver's message, SQL, a path on the server) is in the log under that id,
 * never in the answer.
 */
function serverErrorDetail(request: FastifyRequest, retryAfterSeconds: number | undefined) {
  return retryAfterSeconds === undefined
    ? `Something went wrong on the server; quote request id ${request.id} when reporting it`
    : `The server cannot answer this now: retry in ${retryAfterSeconds} s, and quote request id ${request.id} if it persists`;
}

/**
 * Every error leaves as `application/problem+json` with a stable code and
 * the request id. Expected errors say what was wrong; server errors are
 * logged in full and answered with a generic detail that leaks nothing. A
 * path that exists for other methods answers 405 with `Allow`, not 404.
 */
export const problemDetails = fp(
  async (app: FastifyInstance) => {
    const routes = new RouteMethods();
    app.addHook('onRoute', (route) => routes.add(route.method, route.url));

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const known = toProblem(error);
      if (known && statusOf(known) < 500) {
        request.log.info({ code: known.code, detail: known.detail }, 'request refused');
        return sendProblem(request, reply, known);
      }
      request.log.error({ err: error }, 'request failed');
      return sendProblem(request, reply, {
        code: known?.code ?? 'internal',
        detail: serverErrorDetail(request, known?.retryAfterSeconds),
        retryAfterSeconds: known?.retryAfterSeconds,
      });
    });
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const allowed = routes.methodsFor(path);
      if (allowed.length === 0)
        return sendProblem(request, reply, {
          code: 'not_found',
          detail: `No route ${request.method} ${path}`,
        });
      reply.header('allow', allowed.join(', '));
      return sendProblem(request, reply, {
        code: 'method_not_allowed',
        detail: `${path} answers ${allowed.join(', ')}, not ${request.method}`,
      });
    });
  },
  { name: 'problem-details' },
);
