import {
  createToken,
  deleteAccount,
  getSettings,
  listTokens,
  login,
  logout,
  register,
  revokeToken,
  updateSettings,
  whoami,
} from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { AccountDeletion } from '../../domain/account-deletion.ts';
import { type AccountService, toTokenInfo, toUser } from '../../domain/accounts.ts';
import { registerOperation } from '../operation-route.ts';

export interface AccountRoutesOptions {
  accounts: AccountService;
  deletion: AccountDeletion;
  attemptsPerMinute: number;
}

/**
 * Registration, login, tokens and deleting the account. What takes a
 * password (login, registration, deletion) is rate-limited per client address.
 */
export async function accountRoutes(
  app: FastifyInstance,
  { accounts, deletion, attemptsPerMinute }: AccountRoutesOptions,
) {
  const limited = { config: { rateLimit: { max: attemptsPerMinute, timeWindow: 60_000 } } };

  registerOperation(
    app,
    register,
    async ({ body }) => accounts.register(body.username, body.password),
    limited,
  );
  registerOperation(
    app,
    login,
    async ({ body }) => accounts.login(body.username, body.password),
    limited,
  );
  registerOperation(app, logout, async ({ principal }) => {
    await accounts.revokeToken(principal, principal.token.id);
    return undefined;
  });
  registerOperation(app, whoami, async ({ principal }) => ({
    user: toUser(principal.user),
    token: toTokenInfo(principal.token),
  }));
  registerOperation(app, listTokens, async ({ principal }) => ({
    items: await accounts.listTokens(principal),
  }));
  registerOperation(app, createToken, async ({ principal, body }) =>
    accounts.createApiToken(principal, body),
  );
  registerOperation(app, revokeToken, async ({ principal, params }) => {
    await accounts.revokeToken(principal, params.id);
    return undefined;
  });
  registerOperation(
    app,
    deleteAccount,
    async ({ principal, body }) => {
      await deletion.delete(principal, body.password);
      return undefined;
    },
    limited,
  );
  registerOperation(app, getSettings, async ({ principal }) => accounts.settings(principal));
  registerOperation(app, updateSettings, async ({ principal, body }) =>
    accounts.updateSettings(principal, body),
  );
}
