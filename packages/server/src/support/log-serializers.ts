import type { IncomingMessage } from 'node:http';

/**
 * Query parameters that grant access by themselves: a CDN URL's signature,
 * an S3 presigned URL's, a token some clients put in the query. Their
 * values never reach a log line: anyone who reads the logs could replay
 * them until they expire.
 */
const SECRET_PARAMETERS = new Set([
  's',
  'token',
  'access_token',
  'x-amz-signature',
  'x-amz-credential',
]);

/** The URL as logged: secret query values replaced with `[redacted]`. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return SECRET_PARAMETERS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryAt)}?${query}`;
}

type LoggedRequest = Pick<IncomingMessage, 'method' | 'url'> & {
  ip?: string;
  socket?: { remoteAddress?: string | undefined } | undefined;
};

/**
 * What a log line says about a request (pino's `req` serializer): the
 * method, the URL without secrets, the client.
 */
export const serializeRequest = (request: LoggedRequest) => ({
  method: request.method,
  url: redactUrl(request.url ?? ''),
  remoteAddress: request.ip ?? request.socket?.remoteAddress,
});

export const serializeResponse = (reply: { statusCode: number }) => ({
  statusCode: reply.statusCode,
});
