import type { Access, Scope } from '@flickr-kit/sdk/contract';
import type { Repositories, TokenRecord, UserRecord } from '../ports/metadata-store.ts';
import { DomainError, notFound } from './errors.ts';

/** Who is calling, and with which token. */
export interface Principal {
  user: UserRecord;
  token: TokenRecord;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  if (scope === 'admin' && !principal.user.isAdmin) return false;
  return principal.token.scopes.includes(scope);
}

/** What a principal read before its account was deleted is told when it tries to write. */
export const accountDeleted = () =>
  new DomainError('unauthenticated', 'This account has been deleted: sign in to another');

/**
 * Inside a transaction that adds to the caller's account (a comment, a
 * favorite, a follow…): locks the account and refuses if it was deleted
 * while the request ran, so nothing lands after the deletion that removed
 * everything of the account's (UserRepository.lockLive).
 */
export async function lockCallerAccount(
  tx: Pick<Repositories, 'users'>,
  principal: Principal,
): Promise<void> {
  if (!(await tx.users.lockLive(principal.user.id))) throw accountDeleted();
}

/**
 * {@link lockCallerAccount} for a write between the caller and another user
 * (a follow, a grant): both accounts, locked in id order so that two users
 * acting on each other at once cannot deadlock. Another user deleted
 * meanwhile is a user not found.
 */
export async function lockBothAccounts(
  tx: Pick<Repositories, 'users'>,
  principal: Principal,
  otherId: string,
): Promise<void> {
  const live = new Map<string, boolean>();
  for (const id of [principal.user.id, otherId].sort()) live.set(id, await tx.users.lockLive(id));
  if (!live.get(principal.user.id)) throw accountDeleted();
  if (!live.get(otherId)) throw notFound('User');
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
