// Users, follows and notifications seeded straight into the store, and the
// social API calls the tests make, for suites that need many followers.
import type { Notification, Page } from '@flickr-kit/sdk/contract';
import { uuidv7 } from '../src/domain/ids.ts';
import type { MetadataStore } from '../src/ports/metadata-store.ts';
import { type Caller, callApi } from './api-calls.ts';

/** Inserts `count` users (who cannot sign in: their password hash is a placeholder); returns their ids. */
export async function seedUsers(store: MetadataStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  const createdAt = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const id = uuidv7();
    await store.users.insert({
      id,
      username: `s${id.replaceAll('-', '').slice(-16)}`,
      passwordHash: 'seeded',
      isAdmin: false,
      createdAt,
      profileVisibility: 'public',
      deletedAt: null,
    });
    ids.push(id);
  }
  return ids;
}

/** Makes every one of `followerIds` follow `followeeId`. */
export async function seedFollows(
  store: MetadataStore,
  followeeId: string,
  followerIds: readonly string[],
): Promise<void> {
  const createdAt = new Date().toISOString();
  for (const followerId of followerIds)
    await store.follows.follow({ id: uuidv7(), followerId, followeeId, createdAt });
}

export const follow = (baseUrl: string, caller: Caller, username: string) =>
  callApi(baseUrl, caller, 'PUT', `/v1/following/${username}`);

export const unfollow = (baseUrl: string, caller: Caller, username: string) =>
  callApi(baseUrl, caller, 'DELETE', `/v1/following/${username}`);

export const setProfile = (baseUrl: string, caller: Caller, visibility: 'public' | 'private') =>
  callApi(baseUrl, caller, 'PATCH', '/v1/profile', { visibility });

/** Every notification of the caller, newest first, through the API's pages. */
export async function allNotifications(
  baseUrl: string,
  caller: Caller,
  query = '',
): Promise<Notification[]> {
  const items: Notification[] = [];
  let after: string | null = null;
  do {
    const cursor: string = after ? `&after=${after}` : '';
    const { status, body } = await callApi<Page<Notification>>(
      baseUrl,
      caller,
      'GET',
      `/v1/notifications?limit=100${cursor}${query}`,
    );
    if (status !== 200) throw new Error(`listing notifications answered ${status}`);
    items.push(...body.items);
    after = body.nextCursor;
  } while (after);
  return items;
}

export async function unreadCount(baseUrl: string, caller: Caller): Promise<number> {
  const { body } = await callApi<{ unread: number }>(
    baseUrl,
    caller,
    'GET',
    '/v1/notifications/unread-count',
  );
  return body.unread;
}
