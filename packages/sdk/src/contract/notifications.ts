import { z } from 'zod';
import { Id, IdParams, Timestamp } from './common.ts';
import { defineOperation } from './operation.ts';
import { pageOf, pageQueryWith } from './pagination.ts';
import { UserRef } from './shares.ts';

/**
 * What a notification is about: `new_photo` (someone you follow published a
 * photo you may see), `share_granted` (someone shared their photos with
 * you), `comment_added` (on your photo), `photo_favorited` (your photo).
 */
export const NotificationKind = z.enum([
  'new_photo',
  'share_granted',
  'comment_added',
  'photo_favorited',
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

/**
 * One notification. Its id is time-ordered; it is also the `id:` of the
 * stream's event that carried it. A notification about a photo exists for
 * its recipient only while the recipient may see the photo.
 */
export const Notification = z.object({
  id: Id,
  kind: NotificationKind.or(z.string()),
  /** Who did it; null when the account is gone. */
  actor: UserRef.nullable(),
  photoId: Id.nullable(),
  createdAt: Timestamp,
  readAt: Timestamp.nullable(),
});
export type Notification = z.infer<typeof Notification>;

export const listNotifications = defineOperation({
  id: 'listNotifications',
  method: 'GET',
  path: '/v1/notifications',
  summary: 'Your notifications, newest first',
  tag: 'notifications',
  access: 'read',
  query: pageQueryWith({
    unread: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .describe('Only unread notifications'),
  }),
  status: 200,
  response: pageOf(Notification),
  errors: ['invalid_cursor'],
});

export const UnreadCount = z.object({ unread: z.number().int().min(0) });

export const countUnreadNotifications = defineOperation({
  id: 'countUnreadNotifications',
  method: 'GET',
  path: '/v1/notifications/unread-count',
  summary: 'How many of your notifications are unread',
  tag: 'notifications',
  access: 'read',
  status: 200,
  response: UnreadCount,
  errors: [],
});

export const markNotificationRead = defineOperation({
  id: 'markNotificationRead',
  method: 'POST',
  path: '/v1/notifications/:id/read',
  summary: 'Mark one notification read (idempotent)',
  tag: 'notifications',
  access: 'write',
  params: IdParams,
  status: 204,
  errors: ['not_found'],
});

export const MarkRead = z
  .object({
    upTo: Id.optional().describe(
      'Mark this notification and every older one read; without it, all of them',
    ),
  })
  .strict();

export const markNotificationsRead = defineOperation({
  id: 'markNotificationsRead',
  method: 'POST',
  path: '/v1/notifications/read',
  summary: 'Mark your notifications read: all, or all up to one (idempotent)',
  tag: 'notifications',
  access: 'write',
  body: MarkRead,
  status: 200,
  response: z.object({
    marked: z.number().int().min(0).describe('How many were unread until now'),
  }),
  errors: ['not_found'],
});

/** The `data:` of a stream event named `notification`. */
export const NotificationEvent = Notification;

export const NOTIFICATION_STREAM_PATH = '/v1/notifications/stream';

/**
 * The live stream, as Server-Sent Events (`text/event-stream`). Each event
 * is `event: notification`, `id: <notification id>`, `data: <Notification
 * JSON>`; comments (`: heartbeat`) keep idle connections open. Reconnect
 * with `Last-Event-ID` to receive what was missed first: the stream keeps
 * each recipient's notifications in commit order, so a resumed stream
 * neither skips nor repeats one.
 */
export const streamNotifications = defineOperation({
  id: 'streamNotifications',
  method: 'GET',
  path: NOTIFICATION_STREAM_PATH,
  summary:
    'Your new notifications as they arrive (Server-Sent Events, resumable with Last-Event-ID)',
  tag: 'notifications',
  access: 'read',
  status: 200,
  errors: [],
});
