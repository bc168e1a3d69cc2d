import { ERROR_STATUS, type ErrorCode } from '@flickr-kit/sdk/contract';

/**
 * An expected failure of a use case, with the stable code the API reports.
 * Routes turn it into a problem document; anything else is a 500.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The one answer for anything the caller may not see: exactly as if it did not exist. */
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
