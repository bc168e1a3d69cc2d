import { buildOpenApiDocument } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { MetadataStore } from '../../ports/metadata-store.ts';

/** The OpenAPI document and health checks: unauthenticated, outside the versioned API. */
export async function metaRoutes(
  app: FastifyInstance,
  {
    store,
    version,
    publicUrl,
    cdnUrl,
  }: {
    store: MetadataStore;
    version: string;
    publicUrl: string | undefined;
    cdnUrl: string | undefined;
  },
) {
  const document = buildOpenApiDocument({ version, serverUrl: publicUrl, cdnUrl });
  app.get('/openapi.json', async () => document);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    await store.users.byId('00000000-0000-7000-8000-000000000000');
    return reply.send({ status: 'ready', database: store.dialect });
  });
}
