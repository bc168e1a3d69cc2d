import {
  SCOPES,
  type Scope,
  type Session,
  type TokenInfo,
  type User,
  type UserSettings,
  type UserSettingsChanges,
} from '@flickr-kit/sdk/contract';
import type { Cache } from '../ports/cache.ts';
import type { MetadataStore, TokenRecord, UserRecord } from '../ports/metadata-store.ts';
import { DomainError, notFound } from './errors.ts';
import { nowIso, uuidv7 } from './ids.ts';
import { locationDefaultKey } from './location-privacy.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.ts';
import { accountDeleted, lockCallerAccount, type Principal } from './principal.ts';
import { issueToken, parseToken, secretMatches } from './token-secrets.ts';

export interface AccountSettings {
  registration: 'open' | 'closed';
  sessionDays: number;
}

/** How long a verified token is trusted without a database read; revocation also clears it here. */
const AUTH_CACHE_MS = 10_000;
/** `last_used_at` is a hint, not an audit log: write it at most once a minute per token. */
const TOUCH_EVERY_MS = 60_000;

export const toUser = (user: UserRecord): User => ({
  id: user.id,
  username: user.username,
  isAdmin: user.isAdmin,
  createdAt: user.createdAt,
});

export const toTokenInfo = (token: TokenRecord): TokenInfo => ({
  id: token.id,
  name: token.name,
  kind: token.kind,
  scopes: token.scopes,
  createdAt: token.createdAt,
  lastUsedAt: token.lastUsedAt,
  expiresAt: token.expiresAt,
});

/** The key under which a verified token's principal is cached; revoking the token clears it. */
export const authCacheKey = (tokenId: string) => `auth:${tokenId}`;

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Users, passwords and bearer tokens. */
export class AccountService {
  readonly #store: MetadataStore;
  readonly #cache: Cache;
  readonly #settings: AccountSettings;

  constructor(store: MetadataStore, cache: Cache, settings: AccountSettings) {
    this.#store = store;
    this.#cache = cache;
    this.#settings = settings;
  }

  async register(username: string, password: string): Promise<Session> {
    if (this.#settings.registration === 'closed') {
      throw new DomainError(
        'registration_closed',
        'Registration is closed on this server: ask an administrator',
      );
    }
    const user = await this.createUser(username, password, { isAdmin: false });
    return this.#startSession(user);
  }

  /** Creates a user; also used by the `flickr-server user create` admin command. */
  async createUser(
    username: string,
    password: string,
    options: { isAdmin: boolean },
  ): Promise<UserRecord> {
    const user: UserRecord = {
      id: uuidv7(),
      username,
      passwordHash: await hashPassword(password),
      profileVisibility: 'public',
      isAdmin: options.isAdmin,
      createdAt: nowIso(),
      deletedAt: null,
    };
    // A deleted account's name stays taken: nobody may pass for the person who left.
    if (await this.#store.users.usernameTaken(username)) {
      throw new DomainError('username_taken', `The username "${username}" is taken`);
    }
    try {
      await this.#store.users.insert(user);
    } catch (error) {
      if (await this.#store.users.usernameTaken(username)) {
        throw new DomainError('username_taken', `The username "${username}" is taken`, {
          cause: error,
        });
      }
      throw error;
    }
    return user;
  }

  async login(username: string, password: string): Promise<Session> {
    const user = await this.#store.users.byUsername(username);
    if (!user) {
      await burnPasswordCheck(password);
      throw new DomainError('invalid_credentials', 'Wrong username or password');
    }
    if (!(await verifyPassword(password, user.passwordHash))) {
      throw new DomainError('invalid_credentials', 'Wrong username or password');
    }
    return this.#startSession(user);
  }

  async #startSession(user: UserRecord): Promise<Session> {
    const scopes: Scope[] = user.isAdmin
      ? [...SCOPES]
      : SCOPES.filter((scope) => scope !== 'admin');
    const issued = await this.#issue(user, {
      name: 'session',
      kind: 'session',
      scopes,
      expiresAt: daysFromNow(this.#settings.sessionDays),
    });
    // Deleted while signing in: answered as for an unknown user, like any login after.
    if (!issued) throw new DomainError('invalid_credentials', 'Wrong username or password');
    return { token: issued.token, expiresAt: issued.record.expiresAt, user: toUser(user) };
  }

  async #issue(
    user: UserRecord,
    options: { name: string; kind: 'session' | 'api'; scopes: Scope[]; expiresAt: string | null },
  ): Promise<{ token: string; record: TokenRecord } | undefined> {
    const id = uuidv7();
    const { token, secretHash } = issueToken(id);
    const record: TokenRecord = {
      id,
      userId: user.id,
      name: options.name,
      kind: options.kind,
      secretHash,
      scopes: options.scopes,
      createdAt: nowIso(),
      lastUsedAt: null,
      expiresAt: options.expiresAt,
    };
    // None for an account deleted meanwhile: its token would outlive the deletion.
    const live = await this.#store.transaction(async (tx) => {
      if (!(await tx.users.lockLive(user.id))) return false;
      await tx.tokens.insert(record);
      return true;
    });
    return live ? { token, record } : undefined;
  }

  /** The principal a bearer token stands for, or undefined for an unknown, expired or revoked one. */
  async authenticate(bearer: string): Promise<Principal | undefined> {
    const parsed = parseToken(bearer);
    if (!parsed) return undefined;
    const cacheKey = authCacheKey(parsed.tokenId);
    let principal = await this.#cache.get<Principal>(cacheKey);
    if (!principal) {
      const token = await this.#store.tokens.byId(parsed.tokenId);
      const user = token && (await this.#store.users.byId(token.userId));
      // A deleted account's tokens are deleted with it; this guards a token read just before.
      if (!token || !user || user.deletedAt) return undefined;
      principal = { token, user };
      await this.#cache.set(cacheKey, principal, AUTH_CACHE_MS);
    }
    if (!secretMatches(parsed.secret, principal.token.secretHash)) return undefined;
    if (principal.token.expiresAt && principal.token.expiresAt <= nowIso()) return undefined;
    await this.#touch(principal.token);
    return principal;
  }

  async #touch(token: TokenRecord): Promise<void> {
    const now = Date.now();
    if (token.lastUsedAt && now - Date.parse(token.lastUsedAt) < TOUCH_EVERY_MS) return;
    token.lastUsedAt = new Date(now).toISOString();
    await this.#store.tokens.touch(token.id, token.lastUsedAt);
  }

  async createApiToken(
    principal: Principal,
    request: { name: string; scopes: Scope[]; expiresInDays?: number | undefined },
  ): Promise<{ token: string; info: TokenInfo }> {
    const scopes = [...new Set(request.scopes)];
    // A token can grant no more than the token that creates it.
    const missing = scopes.filter(
      (scope) =>
        !principal.token.scopes.includes(scope) || (scope === 'admin' && !principal.user.isAdmin),
    );
    if (missing.length > 0) {
      throw new DomainError(
        'insufficient_scope',
        `Your token cannot grant scopes it lacks: ${missing.join(', ')}`,
      );
    }
    const expiresAt =
      request.expiresInDays === undefined ? null : daysFromNow(request.expiresInDays);
    const issued = await this.#issue(principal.user, {
      name: request.name,
      kind: 'api',
      scopes,
      expiresAt,
    });
    if (!issued) throw accountDeleted();
    return { token: issued.token, info: toTokenInfo(issued.record) };
  }

  async listTokens(principal: Principal): Promise<TokenInfo[]> {
    return (await this.#store.tokens.listForUser(principal.user.id)).map(toTokenInfo);
  }

  async revokeToken(principal: Principal, tokenId: string): Promise<void> {
    if (!(await this.#store.tokens.delete(principal.user.id, tokenId))) throw notFound('Token');
    await this.#cache.delete(authCacheKey(tokenId));
  }

  /** The caller's account settings. */
  settings(principal: Principal): Promise<UserSettings> {
    return this.#store.settings.get(principal.user.id);
  }

  /** Changes some of the caller's settings; the others stay as they are. */
  async updateSettings(principal: Principal, changes: UserSettingsChanges): Promise<UserSettings> {
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    ) as Partial<UserSettings>;
    const settings = await this.#store.transaction(async (tx) => {
      await lockCallerAccount(tx, principal);
      return tx.settings.update(principal.user.id, defined, nowIso());
    });
    // The CDN tier decides from it who gets the originals' GPS fields.
    if (defined.locationVisibilityDefault)
      await this.#cache.delete(locationDefaultKey(principal.user.id));
    return settings;
  }

  /** Creates an API token for a user from the shell (`flickr-server token create`). */
  async createTokenForUser(username: string, name: string, scopes: Scope[]): Promise<string> {
    const user = await this.#store.users.byUsername(username);
    if (!user) throw notFound(`User "${username}"`);
    if (scopes.includes('admin') && !user.isAdmin) {
      throw new DomainError(
        'insufficient_scope',
        `"${username}" is not an administrator: no admin scope`,
      );
    }
    const issued = await this.#issue(user, { name, kind: 'api', scopes, expiresAt: null });
    if (!issued) throw notFound(`User "${username}"`);
    return issued.token;
  }
}
