import {
  countUnreadNotifications,
  listNotifications,
  markNotificationRead,
  markNotificationsRead,
} from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { NotificationService } from '../../domain/notifications.ts';
import { registerOperation } from '../operation-route.ts';

export async function notificationRoutes(
  app: FastifyInstance,
  { notifications }: { notifications: NotificationService },
) {
  registerOperation(app, listNotifications, async ({ principal, query }) =>
    notifications.list(principal, query),
  );
  registerOperation(app, countUnreadNotifications, async ({ principal }) => ({
    unread: await notifications.unreadCount(principal),
  }));
  registerOperation(app, markNotificationRead, async ({ principal, params }) => {
    await notifications.markOneRead(principal, params.id);
    return undefined;
  });
  registerOperation(app, markNotificationsRead, async ({ principal, body }) => ({
    marked: await notifications.markAllRead(principal, body.upTo),
  }));
}
