import { grantAccess, listGrants, listGrantsToMe, revokeAccess } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { ShareService } from '../../domain/shares.ts';
import { registerOperation } from '../operation-route.ts';

export async function shareRoutes(app: FastifyInstance, { shares }: { shares: ShareService }) {
  registerOperation(app, grantAccess, async ({ principal, body }) =>
    shares.grant(principal, body.username),
  );
  registerOperation(app, revokeAccess, async ({ principal, params }) => {
    await shares.revoke(principal, params.username);
    return undefined;
  });
  registerOperation(app, listGrants, async ({ principal }) => ({
    items: await shares.grantedBy(principal),
  }));
  registerOperation(app, listGrantsToMe, async ({ principal }) => ({
    items: await shares.grantedTo(principal),
  }));
}
