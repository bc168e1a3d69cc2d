import type { Access, Scope } from '@flickr-kit/sdk/contract';
import type { TokenRecord, UserRecord } from '../ports/metadata-store.ts';
import { DomainError } from './errors.ts';

/** Who is calling, and with which token. */
export interface Principal {
  user: UserRecord;
  token: TokenRecord;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  if (scope === 'admin' && !principal.user.isAdmin) return false;
  return principal.token.scopes.includes(scope);
}

/** Checks an operation's access rule; throws the error the API answers with. */
export function authorize(principal: Principal | undefined, access: Access): Principal | undefined {
  if (access === 'public') return principal;
  if (access === 'public-read') {
    if (principal && !hasScope(principal, 'read')) {
      throw new DomainError(
        'insufficient_scope',
        'This needs a token with the "read" scope, or no token at all',
      );
    }
    return principal;
  }
  if (!principal) {
    throw new DomainError('unauthenticated', 'Sign in first: send Authorization: Bearer <token>');
  }
  if (access !== 'user' && !hasScope(principal, access)) {
    throw new DomainError('insufficient_scope', `This needs a token with the "${access}" scope`);
  }
  return principal;
}
