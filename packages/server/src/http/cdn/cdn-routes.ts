import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ORIGINAL } from '../../domain/blob-keys.ts';
import type { CdnAccess } from '../../domain/cdn-access.ts';
import { DomainError, notFound } from '../../domain/errors.ts';
import type { InFlightLimiter } from '../../domain/in-flight-limiter.ts';
import type { OriginalScrubs } from '../../domain/original-scrubs.ts';
import type { UrlSigner } from '../../domain/url-signer.ts';
import { CDN_PREFIX } from '../../domain/url-signer.ts';
import { type BlobStore, InvalidBlobKeyError } from '../../ports/blob-store.ts';
import { sendProblem } from '../problem.ts';
import { parseRange } from './byte-range.ts';
import {
  fileCaching,
  fileHeaders,
  parseCdnKey,
  redirectHeaders,
  secondsLeft,
} from './cdn-files.ts';
import type { DirectUrls } from './direct-urls.ts';
import { patchedBody } from './patched-body.ts';
import type { PublishedFiles } from './published-files.ts';

export interface CdnRoutesOptions {
  files: BlobStore;
  /** The published files' sizes and small bodies, shared with the hot path (cdn-fast-path.ts). */
  published: PublishedFiles;
  signer: UrlSigner;
  access: CdnAccess;
  /**
   * Originals one at a time per URL viewer (the API signs originals for the
   * signed-in caller), by client address for URLs signed for anyone;
   * thumbnails are not limited.
   */
  originals: InFlightLimiter;
  /** The GPS-free copies of originals, for viewers who may not see a photo's location. */
  scrubs: OriginalScrubs;
  /** Where renditions are redirected to, when they are (`FLICKR_CDN_REDIRECT_SECONDS`). */
  direct?: DirectUrls | undefined;
}

/**
 * The first value of each query parameter, as the hot path reads them
 * (`URLSearchParams.get`): a repeated `v`, `e` or `s` cannot make the two
 * paths disagree about a URL.
 */
function firstValues(query: Record<string, string | string[] | undefined>) {
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
  ) as Record<string, string | undefined>;
}

/**
 * The CDN tier: serves published files by key, to holders of a valid signed
 * URL whose viewer may still see the photo. Files never change under a key,
 * so answers carry long cache lifetimes, ETags and Range support.
 */
export async function cdnRoutes(app: FastifyInstance, options: CdnRoutesOptions): Promise<void> {
  const { files, published, signer, access, originals, scrubs, direct } = options;

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    // The router has decoded the path once, as the hot path does: decoding it again
    // would read `%2525` as `%`, and throw on a key that holds a lone `%`.
    const key = (request.params as { '*': string })['*'];
    const parsed = parseCdnKey(key);
    if (!parsed) throw notFound('File');
    const { resolution, photoId, extension } = parsed;
    const query = firstValues(request.query as Record<string, string | string[] | undefined>);
    const verdict = signer.verify(key, query.v ?? '', query.e ?? '', query.s ?? '');
    if (verdict === 'invalid')
      throw new DomainError(
        'invalid_signature',
        'The URL signature is missing or wrong: ask the API for a new URL',
      );
    if (verdict === 'expired')
      throw new DomainError('url_expired', 'The URL has expired: ask the API for a new one');
    const isOriginal = resolution === ORIGINAL;
    const original = isOriginal ? await access.original(photoId, query.v as string) : undefined;
    const decision = isOriginal ? original : await access.allows(photoId, query.v as string);
    if (!decision?.allowed) throw notFound('File');

    let info: Awaited<ReturnType<BlobStore['stat']>>;
    try {
      info = await published.stat(key);
    } catch (error) {
      if (error instanceof InvalidBlobKeyError) throw notFound('File');
      throw error;
    }
    if (!info) throw notFound('File');
    if (direct && !isOriginal) {
      const location = await direct.get(
        key,
        fileCaching(decision.visibility, extension, direct.seconds),
      );
      return reply.code(302).headers(redirectHeaders(location)).send();
    }

    const headers = fileHeaders(info, decision.visibility, extension, secondsLeft(query.e));
    let patches: Awaited<ReturnType<OriginalScrubs['of']>>['patches'] = [];
    if (original) {
      let digest = original.sha256;
      if (!original.gps) {
        ({ patches, sha256: digest } = await scrubs.of(photoId, key, original.sha256));
        if (patches.length > 0) headers.etag = `"${digest}"`;
      }
      // RFC 9530: the digest of the whole representation this URL serves, for
      // a range too, so a client verifies what it assembles, copy or original.
      headers['repr-digest'] = `sha-256=:${Buffer.from(digest, 'hex').toString('base64')}:`;
      // Who gets which bytes changes with the owner's settings: no shared cache keeps either.
      headers['cache-control'] = headers['cache-control']?.replace(/^public/, 'private') as string;
    }
    reply.headers(headers);
    if (request.headers['if-none-match'] === headers.etag) return reply.code(304).send();

    const range = parseRange(request.headers.range, info.bytes);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.bytes}`);
      return sendProblem(request, reply, {
        code: 'range_not_satisfiable',
        detail: `The file has ${info.bytes} bytes; the requested range is outside it`,
      });
    }
    const release = isOriginal
      ? originals.acquire(query.v === '-' ? `ip:${request.ip}` : (query.v as string))
      : undefined;
    reply.raw.once('close', () => release?.());
    if (range) {
      reply.code(206);
      reply.header('content-range', `bytes ${range.start}-${range.end}/${info.bytes}`);
      reply.header('content-length', String(range.end - range.start + 1));
      return reply.send(patchedBody(await files.read(key, range), range.start, patches));
    }
    const body = await published.read(key, info);
    if (!body) throw notFound('File');
    reply.header('content-length', String(info.bytes));
    return reply.send(patchedBody(body, 0, patches));
  };

  // Fastify answers HEAD for GET routes itself, with the headers and no body.
  app.get(`${CDN_PREFIX}/*`, serve);
}
