import type { PhotoRecord, Repositories } from '../ports/metadata-store.ts';
import { nowIso, uuidv7 } from './ids.ts';

/** Followers per batch: one SELECT and one INSERT each. */
export const FAN_OUT_BATCH = 500;

/**
 * Tells a ready photo's owner's followers about it (`new_photo`), in
 * batches that each commit on their own. Run again after a crash, it adds
 * only what is missing: (recipient, kind, subject) is unique, and every
 * batch inserts with ON CONFLICT DO NOTHING. Followers who may not see the
 * photo (it is private, or its owner's profile is, and it was not shared
 * with them) are not told. Returns how many notifications were new.
 */
export async function fanOutNewPhoto(
  store: Pick<Repositories, 'follows' | 'notifications' | 'users'>,
  photo: Pick<PhotoRecord, 'id' | 'ownerId' | 'visibility'>,
  batch = FAN_OUT_BATCH,
): Promise<number> {
  const owner = await store.users.byId(photo.ownerId);
  if (!owner) return 0;
  const grantedOnly = photo.visibility === 'private' || owner.profileVisibility === 'private';
  let inserted = 0;
  let after: string | undefined;
  for (;;) {
    const followers = await store.follows.followerIds(owner.id, after, batch, grantedOnly);
    if (followers.length === 0) return inserted;
    const createdAt = nowIso();
    inserted += await store.notifications.insertMany(
      followers.map((recipientId) => ({
        id: uuidv7(),
        recipientId,
        kind: 'new_photo',
        subject: photo.id,
        actorId: owner.id,
        photoId: photo.id,
        createdAt,
      })),
    );
    after = followers.at(-1);
    if (followers.length < batch) return inserted;
  }
}
