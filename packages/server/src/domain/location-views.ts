import type { PhotoRecord, Repositories, UserRecord } from '../ports/metadata-store.ts';
import { relationship, type Viewer } from './access.ts';
import { effectiveLocationVisibility, getsOriginalGps, seesLocation } from './location-privacy.ts';
import type { LocationView } from './photo-view.ts';

/**
 * What the viewer may know of the location of each photo of a page, by photo
 * id, and whether they get its original's GPS. It asks the store, per owner
 * on the page, for the owner's default and the viewer's grant (the rule of
 * access.ts): a listing (one owner) costs at most two queries.
 */
export async function locationViews(
  store: Pick<Repositories, 'grants' | 'settings' | 'users'>,
  viewer: Viewer,
  photos: readonly PhotoRecord[],
  owners: ReadonlyMap<string, UserRecord | undefined>,
): Promise<Map<string, LocationView>> {
  const byOwner = new Map<string, PhotoRecord[]>();
  for (const photo of photos) {
    const own = byOwner.get(photo.ownerId);
    if (own) own.push(photo);
    else byOwner.set(photo.ownerId, [photo]);
  }
  const settled = await Promise.all(
    [...byOwner].map(async ([ownerId, own]) => {
      const { locationVisibilityDefault } = await store.settings.get(ownerId);
      const level = (photo: PhotoRecord) =>
        effectiveLocationVisibility(photo, locationVisibilityDefault);
      const profile = owners.get(ownerId)?.profileVisibility ?? 'public';
      const relation = await relationship(store, viewer, ownerId, profile);
      return own.map((photo): [string, LocationView] => [
        photo.id,
        {
          shown: seesLocation(relation, level(photo)),
          originalGps: getsOriginalGps(relation, level(photo), photo),
          privacy:
            relation === 'owner' || relation === 'admin'
              ? { override: photo.locationVisibility, effective: level(photo) }
              : null,
        },
      ]);
    }),
  );
  return new Map(settled.flat());
}
