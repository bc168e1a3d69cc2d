import { z } from 'zod';
import { Timestamp, Username } from './common.ts';
import { defineOperation } from './operation.ts';
import { PageQuery, pageOf } from './pagination.ts';
import { UserRef } from './shares.ts';

/** One side of a follow: the other user, and since when. */
export const FollowEntry = z.object({ user: UserRef, since: Timestamp });
export type FollowEntry = z.infer<typeof FollowEntry>;

const UsernameParams = z.object({ username: Username });

export const followUser = defineOperation({
  id: 'followUser',
  method: 'PUT',
  path: '/v1/following/:username',
  summary: 'Follow a user: be notified of their new photos (idempotent; following grants nothing)',
  tag: 'follows',
  access: 'write',
  params: UsernameParams,
  status: 200,
  response: FollowEntry,
  errors: ['not_found', 'bad_request'],
});

export const unfollowUser = defineOperation({
  id: 'unfollowUser',
  method: 'DELETE',
  path: '/v1/following/:username',
  summary: 'Stop following a user (idempotent: not following them is no error)',
  tag: 'follows',
  access: 'write',
  params: UsernameParams,
  status: 204,
  errors: ['not_found'],
});

export const listFollowers = defineOperation({
  id: 'listFollowers',
  method: 'GET',
  path: '/v1/users/:username/followers',
  summary: 'Who follows a user, newest first; a private profile shows it to those it shared with',
  tag: 'follows',
  access: 'public-read',
  params: UsernameParams,
  query: PageQuery,
  status: 200,
  response: pageOf(FollowEntry),
  errors: ['not_found', 'invalid_cursor'],
});

export const listFollowing = defineOperation({
  id: 'listFollowing',
  method: 'GET',
  path: '/v1/users/:username/following',
  summary: 'Whom a user follows, newest first; a private profile shows it to those it shared with',
  tag: 'follows',
  access: 'public-read',
  params: UsernameParams,
  query: PageQuery,
  status: 200,
  response: pageOf(FollowEntry),
  errors: ['not_found', 'invalid_cursor'],
});
