import { getProfile, updateProfile } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { ProfileService } from '../../domain/profiles.ts';
import { registerOperation } from '../operation-route.ts';

export async function profileRoutes(
  app: FastifyInstance,
  { profiles }: { profiles: ProfileService },
) {
  registerOperation(app, getProfile, async ({ principal }) => profiles.get(principal));
  registerOperation(app, updateProfile, async ({ principal, body }) =>
    profiles.setVisibility(principal, body.visibility),
  );
}
