import type { Problem } from './contract/errors.ts';

/** Base class of every error the SDK throws. */
export class FlickrError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered with an error status; `code` is its stable problem code. */
export class ApiError extends FlickrError {
  readonly status: number;
  /** The problem's stable code, e.g. `not_found`; `unknown` when the body was not a problem document. */
  readonly code: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  /** The whole problem document, when there was one. */
  readonly problem: Problem | undefined;
  /** Seconds the server asked to wait before retrying, from `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    problem: Problem | undefined,
    fallback: string,
    retryAfterSeconds?: number,
  ) {
    const detail = problem?.detail ?? fallback;
    super(`${status} ${problem?.code ?? 'error'}: ${detail}`);
    this.status = status;
    this.code = problem?.code ?? 'unknown';
    this.detail = detail;
    this.requestId = problem?.requestId;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The subclass for a status, so callers can write `err instanceof NotFoundError`. */
  static generate(
    status: number,
    problem: Problem | undefined,
    fallback: string,
    retryAfterSeconds?: number,
  ): ApiError {
    const Class =
      problem?.code === 'comments_disabled'
        ? CommentsDisabledError
        : status === 400 || status === 422
          ? ValidationError
          : status === 401
            ? AuthenticationError
            : status === 403
              ? PermissionDeniedError
              : status === 404 || status === 410
                ? NotFoundError
                : status === 409
                  ? ConflictError
                  : status === 413
                    ? PayloadTooLargeError
                    : status === 429
                      ? RateLimitError
                      : status >= 500
                        ? InternalServerError
                        : ApiError;
    return new Class(status, problem, fallback, retryAfterSeconds);
  }
}

/**
 * 400 or 422: the request was malformed or refused as invalid (a bad image, a
 * hash mismatch, text that cannot be stored as written, an idempotency key
 * reused for a different request: `code` says which).
 */
export class ValidationError extends ApiError {}
/** 401: no token, or a token that is invalid, expired or revoked. */
export class AuthenticationError extends ApiError {}
/** 403: the token lacks a scope, or the action is not allowed (quota, registration closed). */
export class PermissionDeniedError extends ApiError {}
/**
 * 403 `comments_disabled`: the photo's owner turned its comments off. Its
 * comments stay readable; none can be added or edited until they are on again.
 */
export class CommentsDisabledError extends PermissionDeniedError {}
/** 404 or 410: it does not exist, or the caller may not see it. */
export class NotFoundError extends ApiError {}
/** 409: a conflict with the current state (a taken name, an upload offset mismatch). */
export class ConflictError extends ApiError {}
/** 413: too large for the server's limits. */
export class PayloadTooLargeError extends ApiError {}
/** 429: rate-limited, or over a per-user in-flight limit; see `retryAfterSeconds`. */
export class RateLimitError extends ApiError {}
/** 5xx: the server failed; retried automatically before it reaches you. */
export class InternalServerError extends ApiError {}

/** The server could not be reached (refused, reset, DNS). Retried automatically. */
export class ConnectionError extends FlickrError {}

/** A request took longer than the client's `timeout`. Retried automatically. */
export class TimeoutError extends FlickrError {}

/** The caller aborted the operation through its `AbortSignal`. */
export class AbortError extends FlickrError {}

/** The server answered with a body that does not match the contract: a version mismatch, not a user error. */
export class ResponseValidationError extends FlickrError {
  readonly issues: unknown[];
  constructor(message: string, issues: unknown[]) {
    super(message);
    this.issues = issues;
  }
}

/** A downloaded file did not match what the server said it would be. */
export class IntegrityError extends FlickrError {}
