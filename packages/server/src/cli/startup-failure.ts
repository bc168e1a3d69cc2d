import type { Config } from '../config.ts';

/** What Node and the drivers put on the errors this reads. */
interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

/** The database URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** The error and its causes, outermost first (an AggregateError, several addresses tried: its first). */
function* chain(error: unknown): Generator<SystemError> {
  let at = error;
  for (let depth = 0; at instanceof Error && depth < 5; depth++) {
    yield at as SystemError;
    at = at.cause ?? (at instanceof AggregateError ? at.errors[0] : undefined);
  }
}

const DATABASE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  // PostgreSQL: password refused, no such database, no such role.
  '28P01',
  '28000',
  '3D000',
]);

/**
 * One line that says why the server could not start and what to do, for
 * the failures an operator meets (a port in use, a data folder it may not
 * write, a database it cannot reach); undefined for anything else, which
 * is a bug and keeps its stack trace.
 */
export function startupFailure(error: unknown, config: Config): string | undefined {
  for (const cause of chain(error)) {
    const { code, syscall } = cause;
    if (syscall === 'listen' && code === 'EADDRINUSE')
      return `port ${config.port} on ${config.host} is already in use: stop what listens there, or choose another port with FLICKR_PORT (--port)`;
    if (syscall === 'listen' && code === 'EACCES')
      return `no permission to listen on port ${config.port} on ${config.host}: use a port above 1023, or give the process the right to bind it`;
    if (syscall === 'listen' && code === 'EADDRNOTAVAIL')
      return `${config.host} is not an address of this machine: set FLICKR_HOST (--host) to one of its addresses, or 0.0.0.0`;
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC'].includes(code) && cause.path)
      return `cannot write ${cause.path} (${code}): the data folder ${config.dataDir} must be writable by this user (FLICKR_DATA_DIR, --data-dir)`;
    if (
      config.databaseUrl &&
      ((code && DATABASE_CODES.has(code)) || /connection timeout/i.test(cause.message))
    )
      return `cannot reach the database at ${redacted(config.databaseUrl)}: ${cause.message} (DATABASE_URL, --database-url)`;
    if (!config.databaseUrl && code === 'ERR_SQLITE_ERROR')
      return `cannot open the SQLite database in ${config.dataDir}: ${cause.message} (FLICKR_DATA_DIR, --data-dir)`;
    if (cause.message.startsWith('The S3 bucket')) return cause.message;
  }
  return undefined;
}
