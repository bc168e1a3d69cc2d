import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/errors.ts';

/**
 * The longest URL any route reads: identifiers, a cursor and a few query
 * parameters fit many times over. Longer ones are refused with 414 rather
 * than parsed; past Node's header limit (64 KiB) the parser answers 431.
 */
const MAX_URL_LENGTH = 8 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

const hasBody = (headers: IncomingMessage['headers']) =>
  headers['transfer-encoding'] !== undefined ||
  (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/**
 * What the screening refuses from a request's head alone (its method, URL
 * and headers), or undefined. The one statement of those rules: the CDN
 * fast path (cdn-fast-path.ts) declines whatever this refuses, so that the
 * route refuses it.
 */
export function headRefusal(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
): DomainError | undefined {
  const url = request.url ?? '';
  if (url.length > MAX_URL_LENGTH)
    return new DomainError(
      'uri_too_long',
      `The URL is ${url.length} characters long; this API reads at most ${MAX_URL_LENGTH}`,
    );
  if ((request.method === 'GET' || request.method === 'HEAD') && hasBody(request.headers))
    return new DomainError(
      'bad_request',
      `A ${request.method} request carries no body here: send it without one`,
    );
  return undefined;
}

/**
 * What a request must be before any route reads it, each refusal a problem
 * document: a URL of at most 8 KiB (414), no body on GET or HEAD (400: no
 * route reads one, and a body left unread is how requests get smuggled past
 * a proxy), and JSON bodies in UTF-8 (RFC 8259).
 *
 * Fastify's JSON parser decodes bytes that are not UTF-8 into U+FFFD, and
 * ignores a `charset` parameter: a Latin-1 "é" would be acknowledged and
 * stored as "\uFFFD". The body is decoded strictly instead, and a charset
 * other than UTF-8 is a 415; text that cannot be stored as sent is refused.
 */
export const requestScreening = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      const refusal = headRefusal(request);
      if (refusal) throw refusal;
    });

    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        done(
          new DomainError(
            'unsupported_media_type',
            `JSON is read as UTF-8 only (RFC 8259), not charset=${charset}`,
          ),
        );
        return;
      }
      let text: string;
      try {
        text = utf8.decode(body as Buffer);
      } catch {
        done(new DomainError('malformed_json', 'The body is not valid UTF-8: JSON text must be'));
        return;
      }
      parseJson(request, text, done);
    });
  },
  { name: 'request-screening', dependencies: ['problem-details'] },
);
