import {
  ERROR_STATUS,
  type ErrorCode,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  problemType,
} from '@flickr-kit/sdk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'Invalid request',
  malformed_json: 'Malformed JSON',
  unauthenticated: 'Authentication required',
  insufficient_scope: 'Insufficient scope',
  not_found: 'Not found',
  uri_too_long: 'URI too long',
  headers_too_large: 'Request header fields too large',
  internal: 'Internal server error',
};

const title = (code: ErrorCode) =>
  TITLES[code] ?? code.charAt(0).toUpperCase() + code.slice(1).replaceAll('_', ' ');

export interface ProblemInput {
  code: ErrorCode;
  detail: string;
  errors?: Problem['errors'];
  retryAfterSeconds?: number | undefined;
  /**
   * The HTTP status, when it is not the code's own: the tus endpoint answers
   * with statuses of its protocol (460) that no code of ours has. RFC 9457
   * wants the document's `status` to be the one actually sent.
   */
  status?: number | undefined;
}

/**
 * The status a problem is sent with: its own when it has one, else its
 * code's in the contract's errors table (`ERROR_STATUS`).
 */
export const statusOf = (input: ProblemInput): number => input.status ?? ERROR_STATUS[input.code];

/** Builds an RFC 9457 problem document for a request. */
export function problem(request: FastifyRequest, input: ProblemInput): Problem {
  return problemDocument(String(request.id), input);
}

/** The same, from the request id alone: for errors answered before Fastify made a request. */
export function problemDocument(requestId: string, input: ProblemInput): Problem {
  return {
    type: problemType(input.code),
    title: title(input.code),
    status: statusOf(input),
    code: input.code,
    detail: input.detail,
    requestId,
    ...(input.errors ? { errors: input.errors } : {}),
    ...(input.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: input.retryAfterSeconds }),
  };
}

/** Sends a problem document, with `Retry-After` when there is one. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  input: ProblemInput,
): FastifyReply {
  const body = problem(request, input);
  if (input.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(input.retryAfterSeconds));
  // Serialised here: route response schemas describe success bodies only.
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}
