import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AccountService } from '../../domain/accounts.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, when the request carried a valid bearer token. */
    principal: Principal | undefined;
  }
}

/**
 * Reads `Authorization: Bearer <token>` on every request. A request without
 * one is anonymous; a request with a token that is unknown, revoked or
 * expired is refused, even on public routes, so a client learns at once that
 * its token is dead. Access rules are applied per operation.
 */
export const authentication = fp(
  async (app: FastifyInstance, options: { accounts: AccountService }) => {
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (!header) return;
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = match ? await options.accounts.authenticate(match[1] as string) : undefined;
      if (!principal) {
        throw new DomainError(
          'unauthenticated',
          'The bearer token is invalid, expired or revoked: sign in again',
        );
      }
      request.principal = principal;
      request.log = request.log.child({ userId: principal.user.id });
    });
  },
  { name: 'authentication', dependencies: ['problem-details'] },
);
