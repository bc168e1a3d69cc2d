import { z } from 'zod';
import { Id, Username } from './common.ts';
import { defineOperation } from './operation.ts';

/**
 * Who a profile shows its photos to. `private`: only to its owner, the users
 * it shared with, and administrators; strangers see none of its photos,
 * public ones included, nor whom it follows or who follows it.
 */
export const ProfileVisibility = z.enum(['public', 'private']);
export type ProfileVisibility = z.infer<typeof ProfileVisibility>;

/** The caller's own profile settings. */
export const Profile = z.object({ id: Id, username: Username, visibility: ProfileVisibility });
export type Profile = z.infer<typeof Profile>;

export const getProfile = defineOperation({
  id: 'getProfile',
  method: 'GET',
  path: '/v1/profile',
  summary: 'Your profile settings: who sees your photos',
  tag: 'profiles',
  access: 'read',
  status: 200,
  response: Profile,
  errors: [],
});

export const updateProfile = defineOperation({
  id: 'updateProfile',
  method: 'PATCH',
  path: '/v1/profile',
  summary: 'Make your profile public or private; takes effect within seconds, CDN included',
  tag: 'profiles',
  access: 'write',
  body: z.object({ visibility: ProfileVisibility }).strict(),
  status: 200,
  response: Profile,
  errors: ['validation_failed'],
});
