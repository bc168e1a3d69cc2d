import type { Notification, NotificationKind, Page } from '@flickr-kit/sdk/contract';
import type { MetadataStore, NotificationRecord, Repositories } from '../ports/metadata-store.ts';
import type { CursorCodec } from './cursor.ts';
import { notFound } from './errors.ts';
import { nowIso, uuidv7 } from './ids.ts';
import type { Principal } from './principal.ts';

/** What another service tells a user about, inside its own transaction. */
export interface NotificationRequest {
  recipientId: string;
  kind: NotificationKind;
  /** Who did it. A user is never notified of what they did themselves. */
  actorId: string;
  photoId: string | null;
  /**
   * With recipient and kind, what makes the notification unique: a second
   * request with the same subject (a retry, a repeated favorite) adds nothing.
   * For `comment_added` the comment's id; for `photo_favorited` the photo's id
   * and the actor's (`<photo>:<actor>`); for `share_granted` the grant's.
   */
  subject: string;
}

/**
 * Writes a notification with the caller's transaction (or store): it exists
 * exactly when the change that caused it commits. Idempotent by
 * (recipient, kind, subject). Returns whether it was new.
 */
export async function notify(
  tx: Pick<Repositories, 'notifications'>,
  request: NotificationRequest,
): Promise<boolean> {
  if (request.recipientId === request.actorId) return false;
  const inserted = await tx.notifications.insertMany([
    { id: uuidv7(), ...request, createdAt: nowIso() },
  ]);
  return inserted > 0;
}

export const toNotification = (record: NotificationRecord): Notification => ({
  id: record.id,
  kind: record.kind,
  actor: record.actor,
  photoId: record.photoId,
  createdAt: record.createdAt,
  readAt: record.readAt,
});

/** A notification as a stream sends it, with its place in the recipient's stream. */
export interface Streamed {
  position: number;
  notification: Notification;
}

export interface NotificationPageRequest {
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  unread?: boolean | undefined;
}

/** A user's notifications: listing, counting, marking read, and what a stream sends next. */
export class NotificationService {
  readonly #store: MetadataStore;
  readonly #cursors: CursorCodec;

  constructor(store: MetadataStore, cursors: CursorCodec) {
    this.#store = store;
    this.#cursors = cursors;
  }

  async list(principal: Principal, page: NotificationPageRequest): Promise<Page<Notification>> {
    const recipient = principal.user.id;
    const filter = { unreadOnly: page.unread === true };
    const after = page.after ? this.#cursors.decode(page.after) : undefined;
    const before = page.before ? this.#cursors.decode(page.before) : undefined;
    const repo = this.#store.notifications;
    const rows = await repo.list(recipient, filter, { after, before, limit: page.limit });
    const more = rows.length > page.limit;
    const items = before ? rows.slice(more ? 1 : 0) : rows.slice(0, page.limit);
    const first = items[0];
    const last = items.at(-1);
    const hasNewer = before
      ? more
      : first
        ? await repo.existsBeyond(recipient, filter, first.id, 'newer')
        : false;
    const hasOlder = before
      ? last
        ? await repo.existsBeyond(recipient, filter, last.id, 'older')
        : false
      : more;
    return {
      items: items.map(toNotification),
      nextCursor: hasOlder && last ? this.#cursors.encode(last.id) : null,
      prevCursor: hasNewer && first ? this.#cursors.encode(first.id) : null,
    };
  }

  unreadCount(principal: Principal): Promise<number> {
    return this.#store.notifications.countUnread(principal.user.id);
  }

  /** Idempotent: a notification read already stays read (with its first time). */
  async markOneRead(principal: Principal, id: string): Promise<void> {
    if (!(await this.#store.notifications.byId(principal.user.id, id)))
      throw notFound('Notification');
    await this.#store.notifications.markRead(principal.user.id, nowIso(), { id });
  }

  /** Marks every notification read, or those up to one (it and all older); returns how many changed. */
  async markAllRead(principal: Principal, upTo: string | undefined): Promise<number> {
    if (upTo && !(await this.#store.notifications.byId(principal.user.id, upTo)))
      throw notFound('Notification');
    return this.#store.notifications.markRead(principal.user.id, nowIso(), upTo ? { upTo } : {});
  }

  /** The recipient's visible notifications above a stream position, in position order. */
  async since(recipientId: string, afterPosition: number, limit: number): Promise<Streamed[]> {
    const records = await this.#store.notifications.since(recipientId, afterPosition, limit);
    return records.map((record) => ({
      position: record.position,
      notification: toNotification(record),
    }));
  }

  /**
   * Where a stream starts: after the notification the client saw last
   * (`Last-Event-ID`), or after the newest there is.
   */
  startPosition(recipientId: string, lastEventId: string | undefined): Promise<number> {
    return lastEventId
      ? this.#store.notifications.positionAfter(recipientId, lastEventId)
      : this.#store.notifications.lastPosition(recipientId);
  }
}
