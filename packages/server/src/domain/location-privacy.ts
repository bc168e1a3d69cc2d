import type { LocationVisibility } from '@flickr-kit/sdk/contract';
import type { PhotoRecord } from '../ports/metadata-store.ts';
import type { Relationship } from './access.ts';

// Geo privacy, as Flickr has it: the owner decides who sees where a photo was
// taken, for the account (`locationVisibilityDefault`) and per photo. The
// rule lives here once; the photo view, search's SQL (searchable-photos.ts)
// and the CDN tier's originals (cdn-access.ts) apply it.

/** The key under which the CDN tier caches a user's default; cleared when it changes. */
export const locationDefaultKey = (userId: string) => `access:location-default:${userId}`;

/** The photo's own setting, or else its owner's default. */
export const effectiveLocationVisibility = (
  photo: Pick<PhotoRecord, 'locationVisibility'>,
  ownerDefault: LocationVisibility,
): LocationVisibility => photo.locationVisibility ?? ownerDefault;

/**
 * Whether a caller standing so to the owner sees a location shown to `level`.
 * Administrators see it as the owner does: they see every photo, private ones
 * included, to moderate it, and the operator holds the database anyway; the
 * setting is about other users.
 */
export function seesLocation(relation: Relationship, level: LocationVisibility): boolean {
  switch (relation) {
    case 'owner':
    case 'admin':
      return true;
    case 'granted':
      return level !== 'owner';
    case 'stranger':
      return level === 'anyone';
    case 'barred':
      return false;
  }
}

/**
 * Whether the original goes to the caller exactly as uploaded, GPS fields
 * included; otherwise it gets the copy without them. Once the owner has set,
 * changed or cleared the location, the file's GPS is no longer the photo's
 * location (a cleared one must not live on in the file), so only the owner
 * and administrators get it.
 */
export function getsOriginalGps(
  relation: Relationship,
  level: LocationVisibility,
  photo: Pick<PhotoRecord, 'locationEdited'>,
): boolean {
  if (relation === 'owner' || relation === 'admin') return true;
  return !photo.locationEdited && seesLocation(relation, level);
}
