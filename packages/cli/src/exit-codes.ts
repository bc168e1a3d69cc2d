import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConnectionError,
  PermissionDeniedError,
  TimeoutError,
} from '@flickr-kit/sdk';

/** What `flickr-cli` exits with; documented in docs/cli.md, stable for scripts. */
export const ExitCode = {
  ok: 0,
  /** The command failed, or some of a batch's items did. */
  failed: 1,
  /** Bad usage: an unknown option, a missing argument, a path that does not exist. */
  usage: 2,
  /** No token, or one the server refused (invalid, expired, revoked, lacking a scope). */
  authentication: 3,
  /** The server could not be reached, or did not answer in time. */
  unreachable: 4,
  /**
   * Every file reached the server, but it could not process some photos of
   * this run (they are `failed`): sending them again does not help.
   */
  unprocessed: 5,
  /** Stopped by Ctrl-C or SIGTERM; an interrupted upload resumes on the next run. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, for people: docs/cli.md's table is generated from it. */
export const EXIT_CODE_MEANINGS: Readonly<Record<ExitCode, string>> = {
  [ExitCode.ok]: 'success (a `--watch` stopped with Ctrl-C included)',
  [ExitCode.failed]:
    'the command failed, or some items of a batch did (the summary lists them); a rerun retries the files that failed',
  [ExitCode.usage]: 'usage: an unknown option, a bad value, a path that does not exist',
  [ExitCode.authentication]:
    'authentication: no token, or one the server refused (invalid, expired, revoked, lacking a scope)',
  [ExitCode.unreachable]: 'the server could not be reached or did not answer in time',
  [ExitCode.unprocessed]:
    'every file was sent, but the server could not process some photos of this run (they are `failed`; the summary lists them with the reason, `flickr-cli photos ls --status failed` too); sending them again does not help. Without `--wait`, only those whose processing failed before the run ended; when files failed too, the code is 1',
  [ExitCode.interrupted]:
    'interrupted by Ctrl-C or SIGTERM; the next run resumes where this one stopped',
};

/** An error the CLI reports as one line and an exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.failed, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad usage: exits 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** The exit code and one-line message for anything a command threw. */
export function describeFailure(
  error: unknown,
  server?: string,
): { code: ExitCode; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (isAbort(error)) return { code: ExitCode.interrupted, message: 'interrupted' };
  if (error instanceof AuthenticationError && error.code === 'invalid_credentials')
    return { code: ExitCode.authentication, message: error.detail };
  if (error instanceof AuthenticationError)
    return {
      code: ExitCode.authentication,
      message: `the server refused the token (${error.detail}); run \`flickr-cli login\` or set FLICKR_TOKEN`,
    };
  if (error instanceof PermissionDeniedError && error.code === 'insufficient_scope')
    return { code: ExitCode.authentication, message: error.detail };
  if (error instanceof ConnectionError || error instanceof TimeoutError)
    return {
      code: ExitCode.unreachable,
      message: `cannot reach ${server ?? 'the server'}: ${rootCause(error)}`,
    };
  if (error instanceof ApiError)
    return {
      code: ExitCode.failed,
      message: `${error.detail} (${error.code}${error.requestId ? `, request ${error.requestId}` : ''})`,
    };
  if (error instanceof Error) return { code: ExitCode.failed, message: oneLine(error) };
  return { code: ExitCode.failed, message: String(error) };
}

/**
 * A stop by Ctrl-C or SIGTERM, not a failure: the SDK's AbortError, or any
 * error named so (fetch's DOMException).
 */
export function isAbort(error: unknown): boolean {
  return error instanceof AbortError || (error instanceof Error && error.name === 'AbortError');
}

/** The innermost cause's message: "ECONNREFUSED 127.0.0.1:9", not "fetch failed". */
export function rootCause(error: Error): string {
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const code = (inner as NodeJS.ErrnoException).code;
  const message = inner instanceof Error ? inner.message : String(inner);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

/** A message for a per-file failure line: the error's own words on one line. */
export function oneLine(error: Error): string {
  const text = error instanceof ApiError ? error.detail : error.message;
  return text.replace(/\s+/g, ' ').trim();
}

/** An error that ends a whole command, not one item of it: the token, the network, Ctrl-C. */
export function isFatal(error: unknown): boolean {
  const { code } = describeFailure(error);
  return (
    code === ExitCode.authentication ||
    code === ExitCode.unreachable ||
    code === ExitCode.interrupted
  );
}
