import type { NewOutboxEvent, SocialEvent } from '../ports/metadata-store.ts';
import { uuidv7 } from './ids.ts';

// Social events go to the outbox's `social` queue, for a consumer to claim
// (`outbox.claim(worker, now, leaseUntil, 'social')`). Nothing consumes them
// yet: notifications will. The saga's workers claim from the `saga` queue
// only, so these wait, never claimed, parked or failing a photo.

/** An outbox event for a social fact, due at once; write it in the transaction of the change. */
function socialEvent(photoId: string, event: SocialEvent, at: string): NewOutboxEvent {
  return {
    id: uuidv7(),
    photoId,
    step: event.step,
    payload: event.payload,
    availableAt: at,
    createdAt: at,
  };
}

/** Someone commented on a photo: its owner may want to hear of it. */
export const commentAdded = (
  fact: { commentId: string; photoId: string; authorId: string; ownerId: string },
  at: string,
): NewOutboxEvent => socialEvent(fact.photoId, { step: 'comment_added', payload: fact }, at);

/** Someone added a photo to their favorites (not when it was among them already). */
export const photoFavorited = (
  fact: { photoId: string; userId: string; ownerId: string },
  at: string,
): NewOutboxEvent => socialEvent(fact.photoId, { step: 'photo_favorited', payload: fact }, at);
