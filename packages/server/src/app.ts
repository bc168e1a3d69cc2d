import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { logRequest } from './http/access-log.ts';
import { cdnFastPath, type FastPath } from './http/cdn/cdn-fast-path.ts';
import { cdnRoutes } from './http/cdn/cdn-routes.ts';
import { DirectUrls } from './http/cdn/direct-urls.ts';
import { PublishedFiles } from './http/cdn/published-files.ts';
import { earlyErrors } from './http/early-errors.ts';
import { authentication } from './http/plugins/authentication.ts';
import { idempotency } from './http/plugins/idempotency.ts';
import { problemDetails } from './http/plugins/problem-details.ts';
import { rateLimits } from './http/plugins/rate-limits.ts';
import { requestScreening } from './http/plugins/request-screening.ts';
import { requestIdOf } from './http/request-id.ts';
import { accountExportRoutes } from './http/routes/account-export.ts';
import { accountRoutes } from './http/routes/accounts.ts';
import { albumRoutes } from './http/routes/albums.ts';
import { commentRoutes } from './http/routes/comments.ts';
import { favoriteRoutes } from './http/routes/favorites.ts';
import { followRoutes } from './http/routes/follows.ts';
import { metaRoutes } from './http/routes/meta.ts';
import { notificationStreamRoutes } from './http/routes/notification-stream.ts';
import { notificationRoutes } from './http/routes/notifications.ts';
import { photoRoutes } from './http/routes/photos.ts';
import { profileRoutes } from './http/routes/profiles.ts';
import { searchRoutes } from './http/routes/search.ts';
import { shareRoutes } from './http/routes/shares.ts';
import { uploadRoutes } from './http/routes/uploads.ts';
import { tusRoutes } from './http/tus/tus-routes.ts';
import { serializerCompiler, validatorCompiler } from './http/zod-type-provider.ts';
import type { Services } from './services.ts';

export const SERVER_VERSION = '0.1.0';

/** Room for Upload-Metadata at its largest (a thumbnail of CLIENT_THUMBNAIL_MAX_BYTES, base64) and the usual headers. */
const MAX_HEADER_BYTES = 64 * 1024;

/** The CDN tier's parts: its Fastify route and the hot path ahead of Fastify share the published files. */
interface CdnTier {
  published: PublishedFiles;
  /** Where renditions are redirected to, when the tier redirects rather than streams. */
  direct: DirectUrls | undefined;
  fastPath: FastPath;
}

function cdnTier(services: Services): CdnTier {
  const published = new PublishedFiles(services.cdn);
  const seconds = services.config.cdnRedirectSeconds;
  const direct = seconds > 0 ? new DirectUrls(services.cdn, { seconds }) : undefined;
  return {
    published,
    direct,
    fastPath: cdnFastPath({
      published,
      signer: services.signer,
      access: services.cdnAccess,
      log: services.log as Logger,
      direct,
    }),
  };
}

/** Fastify takes a number of hops as a function of the hop (its types have no number). */
const trustProxy = (setting: Config['trustProxy']) =>
  typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;

/**
 * What every Fastify instance of the server shares: logging, request ids,
 * validation, problem documents, and an HTTP server that offers each
 * request to the CDN tier's hot path before Fastify sees it.
 */
async function createFastify(services: Services, cdn: CdnTier): Promise<FastifyInstance> {
  // From the first close on, Fastify answers everything (with its 503 while closing).
  let closing = false;
  const app = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    // Honour a caller's request id when it is sane, so ids follow a request across services.
    genReqId: (request) => requestIdOf(request.headers['x-request-id']),
    return503OnClosing: true,
    // One line per request, written by logRequest (access-log.ts), with secrets redacted.
    disableRequestLogging: true,
    trustProxy: trustProxy(services.config.trustProxy),
    forceCloseConnections: 'idle',
    ...earlyErrors,
    serverFactory: (handler) => {
      // Upload-Metadata carries a client-rendered thumbnail (up to 16 KiB, base64) beside
      // the other fields: Node's default of 16 KiB for all headers refused it with a 431.
      const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
        if (closing || !cdn.fastPath(request, response)) handler(request, response);
      });
      // Fastify's defaults for a server it makes itself (it leaves a factory's alone).
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      return server;
    },
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onResponse', logRequest);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A callback hook, not an async one: it runs on every response, the CDN tier's included.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // Time spent in the server (routing, auth, handler, serialisation), so a client or a
    // benchmark can tell it from the network's share of a round trip.
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
    done(null, payload);
  });
  await app.register(problemDetails);
  await app.register(requestScreening);
  return app;
}

async function registerCdn(app: FastifyInstance, services: Services, cdn: CdnTier): Promise<void> {
  await app.register(cdnRoutes, {
    files: services.cdn,
    published: cdn.published,
    signer: services.signer,
    access: services.cdnAccess,
    originals: services.originalsLimiter,
    scrubs: services.originalScrubs,
    direct: cdn.direct,
  });
}

/**
 * Builds the API application (with the CDN tier mounted under /cdn) without
 * listening: `main.ts` listens, tests use `inject` or listen on port 0.
 */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const cdn = cdnTier(services);
  const app = await createFastify(services, cdn);
  await app.register(authentication, { accounts: services.accounts });
  await app.register(idempotency, { cache: services.cache });
  await app.register(rateLimits);
  await app.register(metaRoutes, {
    store: services.store,
    version: SERVER_VERSION,
    publicUrl: services.config.publicUrl,
    cdnUrl: services.config.cdnUrl,
  });
  await app.register(accountRoutes, {
    accounts: services.accounts,
    deletion: services.accountDeletion,
    attemptsPerMinute: services.config.loginAttemptsPerMinute,
  });
  await app.register(accountExportRoutes, { exporter: services.accountExporter });
  await app.register(uploadRoutes, { uploads: services.uploads });
  await app.register(photoRoutes, { photos: services.photos });
  await app.register(albumRoutes, { albums: services.albums, photos: services.photos });
  await app.register(shareRoutes, { shares: services.shares });
  await app.register(commentRoutes, { comments: services.comments });
  await app.register(favoriteRoutes, { favorites: services.favorites });
  await app.register(profileRoutes, { profiles: services.profiles });
  await app.register(followRoutes, { follows: services.follows });
  await app.register(notificationRoutes, { notifications: services.notifications });
  await app.register(notificationStreamRoutes, {
    notifications: services.notifications,
    wakeup: services.wakeup,
    pollMs: services.config.notificationPollMs,
    heartbeatMs: services.config.notificationHeartbeatMs,
  });
  await app.register(searchRoutes, { search: services.search });
  await app.register(tusRoutes, {
    resumable: services.resumable,
    uploads: services.uploads,
    limiter: services.uploadLimiter,
    maxUploadBytes: services.config.maxUploadBytes,
    uploadWaitMs: services.config.uploadWaitSeconds * 1000,
    publicUrl: services.config.publicUrl,
  });
  await registerCdn(app, services, cdn);
  return app;
}

/** The CDN tier alone (role `cdn`): signed file delivery and a health check. */
export async function buildCdnApp(services: Services): Promise<FastifyInstance> {
  const cdn = cdnTier(services);
  const app = await createFastify(services, cdn);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await registerCdn(app, services, cdn);
  return app;
}
