import { Readable } from 'node:stream';
import { exportAccount } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { AccountExporter } from '../../domain/account-export.ts';
import { authorize, type Principal } from '../../domain/principal.ts';

/**
 * `GET /v1/me/export`: the contract's `exportAccount`, registered by hand
 * because its answer is streamed: a batch of rows is read only when the
 * client has taken the text before it, so memory stays flat however large
 * the account (domain/account-export.ts). A failure once the text has begun
 * cuts the response short, and the client sees a truncated document, never
 * a complete-looking wrong one.
 */
export async function accountExportRoutes(
  app: FastifyInstance,
  { exporter }: { exporter: AccountExporter },
) {
  app.route({
    method: exportAccount.method,
    url: exportAccount.path,
    // HEAD would read the whole account to answer with nothing.
    exposeHeadRoute: false,
    preHandler: async (request) => {
      authorize(request.principal, exportAccount.access);
    },
    handler: async (request, reply) => {
      const principal = request.principal as Principal;
      const text = await exporter.document(principal);
      return reply
        .code(exportAccount.status)
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .header(
          'content-disposition',
          `attachment; filename="flickr-kit-export-${principal.user.username}.json"`,
        )
        .send(Readable.from(text));
    },
  });
}
