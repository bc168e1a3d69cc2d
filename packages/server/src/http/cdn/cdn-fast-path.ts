import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ORIGINAL } from '../../domain/blob-keys.ts';
import type { CdnAccess } from '../../domain/cdn-access.ts';
import type { UrlSigner } from '../../domain/url-signer.ts';
import { CDN_PREFIX } from '../../domain/url-signer.ts';
import { headRefusal } from '../plugins/request-screening.ts';
import { requestIdOf } from '../request-id.ts';
import {
  fileCaching,
  fileHeaders,
  parseCdnKey,
  redirectHeaders,
  secondsLeft,
} from './cdn-files.ts';
import type { DirectUrls } from './direct-urls.ts';
import type { PublishedFiles } from './published-files.ts';

export interface CdnFastPathOptions {
  published: PublishedFiles;
  signer: UrlSigner;
  access: CdnAccess;
  log: Logger;
  /** Renditions are redirected there rather than served, when set. */
  direct?: DirectUrls | undefined;
}

/** Answers a request and returns true, or returns false and leaves it untouched. */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The CDN tier's hot path, ahead of Fastify: a thumbnail GET whose
 * signature is valid, whose viewer the access cache already allows, and
 * whose bytes are in memory is answered here, synchronously, with the same
 * headers the Fastify route sends. Everything else (errors, ranges,
 * conditional requests, originals and their limiter, cache misses, HEAD)
 * goes on to the Fastify route, which answers it in full.
 *
 * Why: a grid of thumbnails is the service's busiest read, and under 64
 * connections the p99 follows the CPU each answer takes. Fastify's routing,
 * request and reply objects, child logger and hooks, and the route's
 * awaits, took ~170 µs of CPU per thumbnail on a 2-core machine, where this
 * path takes well under half (packages/server/bench/cdn.bench.ts).
 */
export function cdnFastPath(options: CdnFastPathOptions): FastPath {
  const { published, signer, access, log, direct } = options;
  return (request, response) => {
    const started = performance.now();
    const url = request.url ?? '';
    if (
      request.method !== 'GET' ||
      !url.startsWith(`${CDN_PREFIX}/`) ||
      request.headers.range !== undefined ||
      request.headers['if-none-match'] !== undefined ||
      // An over-long URL, or a GET with a body, is the route's to refuse.
      headRefusal(request) !== undefined
    )
      return false;
    const queryAt = url.indexOf('?');
    if (queryAt < 0) return false;
    let key: string;
    try {
      key = decodeURIComponent(url.slice(CDN_PREFIX.length + 1, queryAt));
    } catch {
      return false;
    }
    const parsed = parseCdnKey(key);
    if (!parsed || parsed.resolution === ORIGINAL) return false;
    const query = new URLSearchParams(url.slice(queryAt + 1));
    const viewer = query.get('v') ?? '';
    if (signer.verify(key, viewer, query.get('e') ?? '', query.get('s') ?? '') !== 'valid')
      return false;
    const verdict = access.allowsCached(parsed.photoId, viewer);
    if (!verdict?.allowed) return false;
    const location = direct?.peek(
      key,
      fileCaching(verdict.visibility, parsed.extension, direct.seconds),
    );
    const file = direct ? undefined : published.peek(key);
    if (!location && !file) return false;

    const id = requestIdOf(request.headers['x-request-id']);
    const timing = {
      'x-request-id': id,
      'server-timing': `app;dur=${(performance.now() - started).toFixed(2)}`,
    };
    if (location) {
      response.writeHead(302, { ...redirectHeaders(location), ...timing });
      response.end();
    } else if (file) {
      response.writeHead(200, {
        ...fileHeaders(
          file.info,
          verdict.visibility,
          parsed.extension,
          secondsLeft(query.get('e')),
        ),
        'content-length': String(file.info.bytes),
        ...timing,
      });
      response.end(file.data);
    }
    // The line Fastify logs for a request it answered, in the same shape.
    if (log.isLevelEnabled('info'))
      log.info(
        {
          reqId: id,
          req: { method: 'GET', url, remoteAddress: request.socket.remoteAddress },
          res: { statusCode: response.statusCode },
          responseTime: performance.now() - started,
        },
        'request completed',
      );
    return true;
  };
}
