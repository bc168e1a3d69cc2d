import { z } from 'zod';
import { Id, Timestamp, Username } from './common.ts';
import { defineOperation } from './operation.ts';

export const UserRef = z.object({ id: Id, username: Username });

/** A sharer lets a viewer see all of the sharer's photos, public or private. */
export const Grant = z.object({ sharer: UserRef, viewer: UserRef, createdAt: Timestamp });
export type Grant = z.infer<typeof Grant>;

const Grants = z.object({ items: z.array(Grant) });

export const grantAccess = defineOperation({
  id: 'grantAccess',
  method: 'POST',
  path: '/v1/shares',
  summary: 'Let a user see all of your photos',
  tag: 'shares',
  access: 'write',
  body: z.object({ username: Username }),
  status: 201,
  response: Grant,
  errors: ['not_found', 'bad_request'],
});

export const revokeAccess = defineOperation({
  id: 'revokeAccess',
  method: 'DELETE',
  path: '/v1/shares/:username',
  summary: 'Stop a user seeing your private photos; takes effect within seconds, CDN included',
  tag: 'shares',
  access: 'write',
  params: z.object({ username: Username }),
  status: 204,
  errors: ['not_found'],
});

export const listGrants = defineOperation({
  id: 'listGrants',
  method: 'GET',
  path: '/v1/shares',
  summary: 'Who you have shared your photos with',
  tag: 'shares',
  access: 'read',
  status: 200,
  response: Grants,
  errors: [],
});

export const listGrantsToMe = defineOperation({
  id: 'listGrantsToMe',
  method: 'GET',
  path: '/v1/shares/to-me',
  summary: 'Who has shared their photos with you',
  tag: 'shares',
  access: 'read',
  status: 200,
  response: Grants,
  errors: [],
});
