import type { PhotoFilter, PhotoRecord, Repositories } from '../ports/metadata-store.ts';
import { notFound } from './errors.ts';
import type { Principal } from './principal.ts';
import { hasScope } from './principal.ts';

/**
 * How the caller stands to a photo owner: it decides what the caller sees.
 * `barred` is a stranger to a private profile: it sees none of its photos.
 */
export type Relationship = 'owner' | 'admin' | 'granted' | 'stranger' | 'barred';

/** The caller as access rules see it: a user id (or none) and whether it acts as administrator. */
export interface Viewer {
  userId: string | undefined;
  isAdmin: boolean;
}

export const viewerOf = (principal: Principal | undefined): Viewer => ({
  userId: principal?.user.id,
  isAdmin: principal ? hasScope(principal, 'admin') : false,
});

/** `profile`: the owner's profile visibility, when the caller has read it already. */
export async function relationship(
  store: Pick<Repositories, 'grants' | 'users'>,
  viewer: Viewer,
  ownerId: string,
  profile?: 'public' | 'private',
): Promise<Relationship> {
  if (viewer.userId === ownerId) return 'owner';
  if (viewer.isAdmin) return 'admin';
  if (viewer.userId && (await store.grants.exists(ownerId, viewer.userId))) return 'granted';
  return strangerTo(profile ?? (await store.users.byId(ownerId))?.profileVisibility ?? 'public');
}

/**
 * A private profile shows strangers none of its photos, public ones
 * included; following it grants nothing. Its owner, the users it shared
 * with and administrators see what they saw before.
 */
export const strangerTo = (profile: 'public' | 'private'): Relationship =>
  profile === 'private' ? 'barred' : 'stranger';

/**
 * A viewer sees a photo if it is theirs, public, or its owner granted them,
 * and it is not deleted. Others see it only once it is ready.
 */
export function canSee(
  relation: Relationship,
  photo: Pick<PhotoRecord, 'deletedAt' | 'status' | 'visibility'>,
): boolean {
  if (photo.deletedAt) return false;
  if (relation === 'owner' || relation === 'admin') return true;
  if (photo.status !== 'ready') return false;
  return relation === 'granted' || (relation === 'stranger' && photo.visibility === 'public');
}

/**
 * A photo the viewer may see, and how the viewer stands to its owner.
 * Anything else is 404, exactly as if it did not exist: `what` names the
 * thing asked for (a comment on a hidden photo is a comment not found).
 */
export async function visiblePhoto(
  store: Pick<Repositories, 'photos' | 'grants' | 'users'>,
  viewer: Viewer,
  id: string,
  what = 'Photo',
): Promise<{ photo: PhotoRecord; relation: Relationship }> {
  const photo = await store.photos.byId(id);
  if (!photo) throw notFound(what);
  const relation = await relationship(store, viewer, photo.ownerId);
  if (!canSee(relation, photo)) throw notFound(what);
  return { photo, relation };
}

/** The same rule as {@link canSee}, as a filter for lists (a `barred` caller's list is empty). */
export function visibleFilter(
  relation: Relationship,
): Pick<PhotoFilter, 'readyOnly' | 'publicOnly'> {
  const privileged = relation === 'owner' || relation === 'admin';
  return { readyOnly: !privileged, publicOnly: !privileged && relation !== 'granted' };
}
