import { z } from 'zod';
import { Id, LocationVisibility, Scope, Timestamp, Username } from './common.ts';
import { defineOperation } from './operation.ts';
import { storedText, wellFormedText } from './stored-text.ts';

export const Password = wellFormedText().min(8, 'must be at least 8 characters').max(1024);

export const User = z.object({
  id: Id,
  username: Username,
  isAdmin: z.boolean(),
  createdAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const Credentials = z.object({ username: Username, password: Password });

/** A bearer token as issued: the secret is shown once and stored only hashed. */
export const Session = z.object({
  token: z.string().describe('Send as `Authorization: Bearer <token>`'),
  expiresAt: Timestamp.nullable(),
  user: User,
});
export type Session = z.infer<typeof Session>;

export const TokenInfo = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(['session', 'api']),
  scopes: z.array(Scope),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

export const CreateTokenRequest = z.object({
  name: storedText().trim().min(1).max(100),
  scopes: z.array(Scope).min(1).max(4),
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('Never expires when left out'),
});

export const CreatedToken = z.object({
  token: z.string().describe('The secret: shown once, never again'),
  info: TokenInfo,
});

export const WhoAmI = z.object({ user: User, token: TokenInfo });

/** What a user decides for their account as a whole. */
export const UserSettings = z.object({
  commentsEnabledByDefault: z
    .boolean()
    .describe(
      'Whether the photos you upload from now on take comments (`commentsEnabled`); each photo can still be switched on its own. Default true',
    ),
  locationVisibilityDefault: LocationVisibility.describe(
    'Who sees the location of each of your photos that has no `locationVisibility` of its own, old and new: changing it changes them all. Default `shared`',
  ),
});
export type UserSettings = z.infer<typeof UserSettings>;

export const UserSettingsChanges = UserSettings.partial().strict();
export type UserSettingsChanges = z.input<typeof UserSettingsChanges>;

export const register = defineOperation({
  id: 'register',
  method: 'POST',
  path: '/v1/auth/register',
  summary: 'Create an account and sign in',
  tag: 'auth',
  access: 'public',
  body: Credentials,
  status: 201,
  response: Session,
  errors: ['registration_closed', 'username_taken', 'rate_limited'],
});

export const login = defineOperation({
  id: 'login',
  method: 'POST',
  path: '/v1/auth/login',
  summary: 'Exchange a username and password for a session token',
  tag: 'auth',
  access: 'public',
  body: Credentials,
  status: 200,
  response: Session,
  errors: ['invalid_credentials', 'rate_limited'],
});

export const logout = defineOperation({
  id: 'logout',
  method: 'POST',
  path: '/v1/auth/logout',
  summary: 'Revoke the token this request is signed with',
  tag: 'auth',
  access: 'user',
  status: 204,
  errors: [],
});

export const whoami = defineOperation({
  id: 'whoami',
  method: 'GET',
  path: '/v1/me',
  summary: 'The signed-in user and the token in use',
  tag: 'auth',
  access: 'user',
  status: 200,
  response: WhoAmI,
  errors: [],
});

export const listTokens = defineOperation({
  id: 'listTokens',
  method: 'GET',
  path: '/v1/tokens',
  summary: "List the signed-in user's tokens (never their secrets)",
  tag: 'tokens',
  access: 'user',
  status: 200,
  response: z.object({ items: z.array(TokenInfo) }),
  errors: [],
});

export const createToken = defineOperation({
  id: 'createToken',
  method: 'POST',
  path: '/v1/tokens',
  summary: 'Create an API token with scopes, for programs and CI',
  tag: 'tokens',
  access: 'user',
  body: CreateTokenRequest,
  status: 201,
  response: CreatedToken,
  errors: ['insufficient_scope'],
});

export const revokeToken = defineOperation({
  id: 'revokeToken',
  method: 'DELETE',
  path: '/v1/tokens/:id',
  summary: 'Revoke one of your tokens',
  tag: 'tokens',
  access: 'user',
  params: z.object({ id: Id }),
  status: 204,
  errors: ['not_found'],
});

export const getSettings = defineOperation({
  id: 'getSettings',
  method: 'GET',
  path: '/v1/me/settings',
  summary: 'Your account’s settings',
  tag: 'account',
  access: 'read',
  status: 200,
  response: UserSettings,
  errors: [],
});

export const updateSettings = defineOperation({
  id: 'updateSettings',
  method: 'PATCH',
  path: '/v1/me/settings',
  summary: 'Change some of your account’s settings; the others stay as they are',
  tag: 'account',
  access: 'write',
  body: UserSettingsChanges,
  status: 200,
  response: UserSettings,
  errors: [],
});
