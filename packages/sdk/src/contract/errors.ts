import { z } from 'zod';

/**
 * Every error code the API can answer with, and its HTTP status. Codes are
 * stable: clients branch on them, humans read `detail`.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  hash_mismatch: 400,
  invalid_cursor: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  insufficient_scope: 403,
  invalid_signature: 403,
  url_expired: 403,
  registration_closed: 403,
  quota_exceeded: 403,
  comments_disabled: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  username_taken: 409,
  upload_conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  unsupported_image: 422,
  corrupt_image: 422,
  image_too_large: 422,
  idempotency_key_reused: 422,
  checksum_mismatch: 460,
  rate_limited: 429,
  too_many_uploads: 429,
  too_many_downloads: 429,
  headers_too_large: 431,
  internal: 500,
  not_implemented: 501,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/**
 * A problem's code as a client reads it: one of this version's codes, or a
 * code of a newer server kept as the string it is, so that an older client
 * still reports it (with its status, detail and request id) instead of
 * failing to read the document.
 */
export const ProblemCode: z.ZodType<ErrorCode | (string & {})> = z.union([ErrorCode, z.string()]);

/** One invalid field of a request, as a path into it. */
export const FieldError = z.object({
  path: z.string().describe('Where in the request, e.g. `body.sha256.3` or `query.limit`'),
  message: z.string(),
});

/** An RFC 9457 problem document: the body of every error response (`application/problem+json`). */
export const Problem = z.object({
  type: z.string().describe('A URI naming the problem type'),
  title: z.string(),
  status: z.number().int(),
  code: ProblemCode,
  detail: z.string().describe('What went wrong and what to do, for humans'),
  requestId: z.string().describe('Quote it when reporting a problem; it is in the server logs'),
  errors: z.array(FieldError).optional(),
  retryAfterSeconds: z.number().int().optional(),
});
export type Problem = z.infer<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem type URI of a code: stable, and documented in docs/api.md. */
export const problemType = (code: ErrorCode): string =>
  `https://flickr-kit.dev/problems/${code.replaceAll('_', '-')}`;
