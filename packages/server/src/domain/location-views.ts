import type { LocationVisibility } from '@flickr-kit/sdk/contract';
import type { PhotoRecord, Repositories, UserRecord } from '../ports/metadata-store.ts';
import { type Relationship, strangerTo, type Viewer } from './access.ts';
import { effectiveLocationVisibility, seesLocation } from './location-privacy.ts';
import type { LocationView } from './photo-view.ts';

const hasLocation = (photo: PhotoRecord) => photo.latitude !== null && photo.longitude !== null;

/**
 * What the viewer may know of the location of each photo of a page, by photo
 * id. It asks the store only what the page needs: an owner's default when one
 * of their photos with a location follows it (or the owner is looking), and
 * the viewer's grant when a location is shown to `shared`. A page of one
 * owner's photos (a listing) costs at most two queries; a search page, two per
 * owner of a photo with a location.
 */
export async function locationViews(
  store: Pick<Repositories, 'grants' | 'settings'>,
  viewer: Viewer,
  photos: readonly PhotoRecord[],
  owners: ReadonlyMap<string, UserRecord | undefined>,
): Promise<Map<string, LocationView>> {
  const privileged = (ownerId: string) => viewer.userId === ownerId || viewer.isAdmin;
  const byOwner = new Map<string, PhotoRecord[]>();
  for (const photo of photos) {
    const own = byOwner.get(photo.ownerId);
    if (own) own.push(photo);
    else byOwner.set(photo.ownerId, [photo]);
  }
  const settled = await Promise.all(
    [...byOwner].map(async ([ownerId, own]) => {
      const needsDefault =
        privileged(ownerId) ||
        own.some((photo) => hasLocation(photo) && photo.locationVisibility === null);
      const ownerDefault: LocationVisibility | undefined = needsDefault
        ? (await store.settings.get(ownerId)).locationVisibilityDefault
        : undefined;
      // Without the default, every photo that has a location has its own setting;
      // the stand-in only ever meets photos without one, which show nothing.
      const level = (photo: PhotoRecord) =>
        effectiveLocationVisibility(photo, ownerDefault ?? 'owner');
      const profile = owners.get(ownerId)?.profileVisibility ?? 'public';
      let relation: Relationship;
      if (viewer.userId === ownerId) relation = 'owner';
      else if (viewer.isAdmin) relation = 'admin';
      else if (
        viewer.userId &&
        own.some((photo) => hasLocation(photo) && level(photo) === 'shared') &&
        (await store.grants.exists(ownerId, viewer.userId))
      )
        relation = 'granted';
      else relation = strangerTo(profile);
      return own.map((photo): [string, LocationView] => [
        photo.id,
        {
          shown: seesLocation(relation, level(photo)),
          privacy: privileged(ownerId)
            ? { override: photo.locationVisibility, effective: level(photo) }
            : null,
        },
      ]);
    }),
  );
  return new Map(settled.flat());
}
