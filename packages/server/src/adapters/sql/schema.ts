import type { Generated } from 'kysely';

// Tables as Kysely sees them (camelCase here, snake_case in SQL through CamelCasePlugin).
// Timestamps are ISO 8601 UTC text and booleans are 0/1 integers, so one set of
// queries and migrations serves SQLite and PostgreSQL alike.

export interface UsersTable {
  id: string;
  username: string;
  passwordHash: string;
  isAdmin: number;
  createdAt: string;
  profileVisibility: Generated<'public' | 'private'>;
  /** Set when the account was deleted: the row stays as a tombstone (migration 0011). */
  deletedAt: Generated<string | null>;
}

export interface TokensTable {
  id: string;
  userId: string;
  name: string;
  kind: 'session' | 'api';
  secretHash: string;
  scopes: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface AlbumsTable {
  id: string;
  ownerId: string;
  name: string;
  createdAt: string;
}

export interface PhotosTable {
  id: string;
  ownerId: string;
  albumId: string | null;
  sha256: string;
  bytes: number;
  originalName: string;
  title: string;
  description: string;
  tags: string;
  visibility: 'public' | 'private';
  commentsEnabled: number;
  favoriteCount: number;
  status: 'processing' | 'ready' | 'failed';
  statusReason: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
  capturedAt: string | null;
  camera: string | null;
  latitude: number | null;
  longitude: number | null;
  /** `owner`, `shared` or `anyone`; null follows the owner's default. */
  locationVisibility: 'owner' | 'shared' | 'anyone' | null;
  /** 1 once the owner has set, changed or cleared the location. */
  locationEdited: number;
  placeholder: string | null;
  originalKey: string | null;
  blobFolder: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface GrantsTable {
  sharerId: string;
  viewerId: string;
  createdAt: string;
}

export interface RenditionsTable {
  photoId: string;
  name: string;
  path: string;
  width: number;
  height: number;
  bytes: number;
  format: 'jpeg' | 'webp' | 'png' | 'avif';
  renderedBy: 'client' | 'server';
  specVersion: string;
  createdAt: string;
}

export interface UploadsTable {
  id: string;
  ownerId: string;
  length: number | null;
  /** JSON object of the Upload-Metadata fields. */
  metadata: string;
  concat: string | null;
  createdAt: string;
  expiresAt: string;
  finishedAt: string | null;
  /** JSON of the UploadOutcome. */
  outcome: string | null;
  creationKey: string | null;
}

export interface OutboxTable {
  id: string;
  photoId: string;
  step: string;
  payload: string;
  attempts: Generated<number>;
  availableAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  parkedAt: string | null;
  createdAt: string;
}

export interface SagaAttemptsTable {
  id: string;
  eventId: string;
  photoId: string;
  step: string;
  attempt: number;
  worker: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'succeeded' | 'retrying' | 'parked' | null;
  error: string | null;
}

export interface CommentsTable {
  id: string;
  photoId: string;
  authorId: string;
  text: string;
  createdAt: string;
  editedAt: string | null;
}

export interface FavoritesTable {
  userId: string;
  photoId: string;
  id: string;
  createdAt: string;
}

export interface UserSettingsTable {
  userId: string;
  commentsEnabledByDefault: number;
  locationVisibilityDefault: 'owner' | 'shared' | 'anyone';
  updatedAt: string;
}

export interface FollowsTable {
  id: string;
  followerId: string;
  followeeId: string;
  createdAt: string;
}

export interface NotificationsTable {
  id: string;
  recipientId: string;
  kind: string;
  subject: string;
  actorId: string | null;
  photoId: string | null;
  createdAt: string;
  readAt: string | null;
  /** Its place in the recipient's stream, in commit order (migration 0013). */
  position: number;
}

export interface NotificationCountersTable {
  recipientId: string;
  lastPosition: number;
}

export interface OriginalScrubsTable {
  photoId: string;
  /** JSON array of `[offset, base64 bytes]`: what replaces which bytes of the original. */
  patches: string;
  /** Lowercase hex SHA-256 of the original with the patches applied. */
  sha256: string;
  createdAt: string;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  albums: AlbumsTable;
  photos: PhotosTable;
  renditions: RenditionsTable;
  uploads: UploadsTable;
  outbox: OutboxTable;
  sagaAttempts: SagaAttemptsTable;
  grants: GrantsTable;
  comments: CommentsTable;
  favorites: FavoritesTable;
  userSettings: UserSettingsTable;
  follows: FollowsTable;
  notifications: NotificationsTable;
  notificationCounters: NotificationCountersTable;
  originalScrubs: OriginalScrubsTable;
}
