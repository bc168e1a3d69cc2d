import { checkHashes, getLimits } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { UploadService } from '../../domain/uploads.ts';
import { registerOperation } from '../operation-route.ts';

/** The server's policies and the batch dedup check. The tus endpoint is its own plugin. */
export async function uploadRoutes(app: FastifyInstance, { uploads }: { uploads: UploadService }) {
  registerOperation(app, getLimits, async () => uploads.limits());
  registerOperation(app, checkHashes, async ({ principal, body }) =>
    uploads.checkHashes(principal, body.sha256),
  );
}
