import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { uuidv7 } from './domain/ids.ts';
import { authentication } from './http/plugins/authentication.ts';
import { problemDetails } from './http/plugins/problem-details.ts';
import { accountRoutes } from './http/routes/accounts.ts';
import { metaRoutes } from './http/routes/meta.ts';
import { photoRoutes } from './http/routes/photos.ts';
import { uploadRoutes } from './http/routes/uploads.ts';
import { tusUploads } from './http/tus/tus-uploads.ts';
import { serializerCompiler, validatorCompiler } from './http/zod-type-provider.ts';
import type { Services } from './services.ts';

export const SERVER_VERSION = '0.1.0';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Builds the API application without listening: `main.ts` listens, tests
 * use `inject` or listen on port 0.
 */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    // Honour a caller's request id when it is sane, so ids follow a request across services.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(problemDetails);
  await app.register(authentication, { accounts: services.accounts });
  await app.register(rateLimit, { global: false });
  await app.register(metaRoutes, { store: services.store, version: SERVER_VERSION });
  await app.register(accountRoutes, {
    accounts: services.accounts,
    attemptsPerMinute: services.config.loginAttemptsPerMinute,
  });
  await app.register(uploadRoutes, { uploads: services.uploads });
  await app.register(photoRoutes, { photos: services.photos });
  await app.register(tusUploads, {
    uploads: services.uploads,
    staging: services.staging,
    uploadRecords: services.store.uploads,
    limiter: services.uploadLimiter,
    maxUploadBytes: services.config.maxUploadBytes,
  });
  return app;
}
