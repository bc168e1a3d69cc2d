import type {
  ErrorCode,
  LocationVisibility,
  PhotoStatus,
  SagaStep,
  Scope,
} from '@flickr-kit/sdk/contract';
import type { SagaEvent } from './saga-events.ts';
import type { SearchIndex } from './search-index.ts';

// The records the domain reads and writes, and the repositories it reads and
// writes them through. Only adapters know SQL.

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: string;
  /** Private: strangers see none of the user's photos (domain/access.ts). */
  profileVisibility: 'public' | 'private';
  /** When the account was deleted: the record stays as a tombstone that keeps its username taken. */
  deletedAt: string | null;
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  kind: 'session' | 'api';
  secretHash: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface AlbumRecord {
  id: string;
  ownerId: string;
  name: string;
  createdAt: string;
}

export interface PhotoRecord {
  id: string;
  ownerId: string;
  albumId: string | null;
  sha256: string;
  bytes: number;
  originalName: string;
  title: string;
  description: string;
  tags: string[];
  visibility: 'public' | 'private';
  commentsEnabled: boolean;
  /** How many users have it among their favorites: kept with every favorite added or removed. */
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
  /** Who sees the location; null follows the owner's `locationVisibilityDefault`. */
  locationVisibility: LocationVisibility | null;
  /**
   * The owner has set, changed or cleared the location: the GPS fields of the
   * original file are no longer the photo's location, and only the owner gets them.
   */
  locationEdited: boolean;
  placeholder: string | null;
  /** Where the original is stored, once the saga has stored it. */
  originalKey: string | null;
  /**
   * The folder (`<user>/<album>`) every file of the photo is written under,
   * fixed at the pivot; null for photos recorded before there was one.
   */
  blobFolder: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface RenditionRecord {
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

/** An event as stored: its payload is read through its step's schema before the step runs. */
export interface OutboxEvent {
  id: string;
  photoId: string;
  step: SagaStep;
  payload: Record<string, unknown>;
  attempts: number;
  availableAt: string;
  lastError: string | null;
  parkedAt: string | null;
  createdAt: string;
}

/** What the pivot answered for a finished upload, so a retry is answered alike. */
export type UploadOutcome =
  | {
      kind: 'photo';
      photoId: string;
      /** The owner already had the file: the upload made no photo of its own. */
      duplicate: boolean;
      clientThumbnail: 'accepted' | 'rejected' | 'absent';
    }
  /** The file was refused (wrong hash, not an image, over quota…): the same problem, again. */
  | { kind: 'refused'; code: ErrorCode; detail: string }
  /** A partial upload (tus concatenation), consumed by the final upload named. */
  | { kind: 'concatenated'; finalId: string };

/**
 * A resumable upload. Its bytes are staged elsewhere (UploadStaging), until
 * the saga has stored them; this is what the protocol needs besides them.
 */
export interface UploadRecord {
  id: string;
  ownerId: string;
  /** Declared length; null while deferred (tus creation-defer-length). */
  length: number | null;
  /** Upload-Metadata as the client sent it (values decoded). */
  metadata: Record<string, string | null>;
  /** tus concatenation: `partial`, or the final upload's `final;<part> <part>…`; null otherwise. */
  concat: string | null;
  createdAt: string;
  /**
   * Unfinished: its last activity (creation or bytes received) plus the
   * expiry period; then it and its bytes go. Finished: when its record goes
   * (its bytes belong to the saga, which removes them once stored).
   */
  expiresAt: string;
  finishedAt: string | null;
  outcome: UploadOutcome | null;
  /**
   * The token and `Idempotency-Key` its creation was sent with: a retried
   * creation with the same key is answered with this upload.
   */
  creationKey: string | null;
}

export interface UserRepository {
  insert(user: UserRecord): Promise<void>;
  /** A user by id, deleted accounts included (a photo's owner until it is purged). */
  byId(id: string): Promise<UserRecord | undefined>;
  /** Several users in one query (the owners of a page of photos), deleted accounts included; missing ids are left out. */
  byIds(ids: readonly string[]): Promise<UserRecord[]>;
  /** A live user by name: a deleted account is nobody's to find, sign in as or share with. */
  byUsername(username: string): Promise<UserRecord | undefined>;
  /** Whether a username is in use, by a live account or by the tombstone of a deleted one. */
  usernameTaken(username: string): Promise<boolean>;
  /**
   * Inside a transaction: holds off every other transaction that locks the
   * same user until this one ends, so per-user checks (the photo quota) and
   * the writes they allow are one step, and answers whether the account is
   * still live. A write that would add to an account (a photo, a comment, a
   * favorite…) locks it first and gives up on a deleted one, so it can never
   * land after the deletion that removed everything of the account's.
   * Without a transaction it only reads.
   */
  lockLive(id: string): Promise<boolean>;
  /** Makes the account a tombstone: deleted, with no password and no administrator rights. */
  markDeleted(id: string, at: string): Promise<void>;
  setProfileVisibility(id: string, visibility: 'public' | 'private'): Promise<void>;
}

export interface TokenRepository {
  insert(token: TokenRecord): Promise<void>;
  byId(id: string): Promise<TokenRecord | undefined>;
  listForUser(userId: string): Promise<TokenRecord[]>;
  /** Removes one of a user's tokens; false when the user has no such token. */
  delete(userId: string, tokenId: string): Promise<boolean>;
  /** Removes every token of a user, sessions and API tokens; returns their ids. */
  deleteAllOf(userId: string): Promise<string[]>;
  touch(tokenId: string, at: string): Promise<void>;
}

export interface AlbumRepository {
  /** The owner's album of that name, created when missing (race-safe). */
  findOrCreate(album: AlbumRecord): Promise<AlbumRecord>;
  /** Creates an album; false when the owner already has one of that name. */
  insert(album: AlbumRecord): Promise<boolean>;
  byId(id: string): Promise<AlbumRecord | undefined>;
  /** Several albums in one query (those of a page of photos); missing ids are left out. */
  byIds(ids: readonly string[]): Promise<AlbumRecord[]>;
  listForOwner(ownerId: string): Promise<AlbumRecord[]>;
  /** Renames an album; false when the owner already has one of that name. */
  rename(id: string, name: string): Promise<boolean>;
  /** Deletes an album; its photos fall back to the default album. */
  delete(id: string): Promise<void>;
  /** Deletes every album of an owner, in one statement each for the albums and their photos. */
  deleteAllOf(ownerId: string): Promise<void>;
}

/** Which photos a list shows: one owner's or one album's, and how much of them the caller may see. */
export interface PhotoFilter {
  ownerId?: string;
  albumId?: string;
  /** Viewers other than the owner see only finished photos. */
  readyOnly: boolean;
  /** Viewers without a grant see only public photos. */
  publicOnly: boolean;
  /**
   * Only photos with this status (on top of `readyOnly`, which it never
   * widens: with `readyOnly`, any status but `ready` matches nothing).
   */
  status?: PhotoStatus;
}

/**
 * A keyset window in a list's own order: the rows after one key (towards the
 * list's end), or before one (towards its start), neither included. In a
 * newest-first list, `after` is older and `before` newer.
 */
export interface Keyset {
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
}

export interface GrantRecord {
  sharer: { id: string; username: string };
  viewer: { id: string; username: string };
  createdAt: string;
}

export interface GrantRepository {
  /** Idempotent: granting twice keeps the first grant. */
  grant(sharerId: string, viewerId: string, at: string): Promise<void>;
  revoke(sharerId: string, viewerId: string): Promise<boolean>;
  exists(sharerId: string, viewerId: string): Promise<boolean>;
  bySharer(sharerId: string): Promise<GrantRecord[]>;
  byViewer(viewerId: string): Promise<GrantRecord[]>;
  /** Removes the grants a user gave and those it was given; returns the pairs removed. */
  deleteInvolving(userId: string): Promise<{ sharerId: string; viewerId: string }[]>;
}

export interface PhotoRepository {
  /** Inserts a photo unless the owner already has one with its hash; returns whichever is stored. */
  insertUnlessDuplicate(photo: PhotoRecord): Promise<{ photo: PhotoRecord; inserted: boolean }>;
  byId(id: string): Promise<PhotoRecord | undefined>;
  /** The owner's live photos among these hashes. */
  byHashes(ownerId: string, sha256: readonly string[]): Promise<PhotoRecord[]>;
  countLive(ownerId: string): Promise<number>;
  update(
    id: string,
    changes: Partial<Omit<PhotoRecord, 'id' | 'ownerId' | 'sha256'>>,
  ): Promise<void>;
  /** A photo's renditions, smallest first. */
  renditions(photoId: string): Promise<RenditionRecord[]>;
  /** The renditions of several photos in one query (a page of a listing), by photo id. */
  renditionsOf(photoIds: readonly string[]): Promise<Map<string, RenditionRecord[]>>;
  /** Replaces the photo's rendition rows: running it twice leaves the same rows. */
  putRenditions(photoId: string, renditions: readonly RenditionRecord[]): Promise<void>;
  /** Up to `limit` + 1 photos of the window, newest first, so the caller can tell whether more follow. */
  list(filter: PhotoFilter, keyset: Keyset): Promise<PhotoRecord[]>;
  /** Whether any photo of the filter lies beyond an id in a direction (`newer` or `older`). */
  existsBeyond(filter: PhotoFilter, id: string, direction: 'newer' | 'older'): Promise<boolean>;
  /** Deletes every live photo of an owner at once (one statement); returns how many. */
  deleteAllOf(ownerId: string, at: string): Promise<number>;
  /** Photos deleted before a time, whose files are due for purging. */
  deletedBefore(at: string, limit: number): Promise<PhotoRecord[]>;
  /** Removes a photo's rows for good (renditions, outbox events, comments and favorites too). */
  purge(id: string): Promise<void>;
}

/** An event to write: a step and the payload its schema (saga-events.ts) expects. */
export type NewOutboxEvent = SagaEvent & {
  id: string;
  photoId: string;
  availableAt: string;
  createdAt: string;
};

export interface OutboxRepository {
  enqueue(event: NewOutboxEvent): Promise<void>;
  /**
   * Leases the oldest due, unparked, unleased event to one worker. Two
   * workers never hold the same event: the claim is one atomic update.
   */
  claim(worker: string, now: string, leaseUntil: string): Promise<OutboxEvent | undefined>;
  /** Extends a lease the worker still holds; false when it was lost. */
  renew(eventId: string, worker: string, leaseUntil: string): Promise<boolean>;
  /** Deletes an event the worker holds; false when it no longer holds it. */
  complete(eventId: string, worker: string): Promise<boolean>;
  retryLater(eventId: string, worker: string, error: string, availableAt: string): Promise<void>;
  /** Parks an event the worker holds; false when it no longer holds it. */
  park(eventId: string, worker: string, error: string, at: string): Promise<boolean>;
  /** Unparks a photo's parked events, due now, with a fresh attempt count. */
  unpark(photoId: string, now: string): Promise<number>;
  forPhoto(photoId: string): Promise<OutboxEvent[]>;
  /** When the next event of a queue becomes due, for workers that sleep until then. */
  nextDueAt(): Promise<string | undefined>;
}

export interface SagaAttemptRecord {
  id: string;
  eventId: string;
  photoId: string;
  step: SagaStep;
  attempt: number;
  worker: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: 'succeeded' | 'retrying' | 'parked' | null;
  error: string | null;
}

export interface SagaAttemptRepository {
  insert(attempt: SagaAttemptRecord): Promise<void>;
  finish(
    id: string,
    outcome: 'succeeded' | 'retrying' | 'parked',
    at: string,
    error: string | null,
  ): Promise<void>;
  forPhoto(photoId: string): Promise<SagaAttemptRecord[]>;
}

export interface UploadRepository {
  /** Inserts an upload; false when one was created with the same creation key already. */
  insert(upload: UploadRecord): Promise<boolean>;
  byCreationKey(key: string): Promise<UploadRecord | undefined>;
  byId(id: string): Promise<UploadRecord | undefined>;
  delete(id: string): Promise<void>;
  /** Moves an unfinished upload's expiry (bytes arrived); a finished one keeps its own. */
  touch(id: string, expiresAt: string): Promise<void>;
  /** Sets a deferred length; false when the upload already had one. */
  declareLength(id: string, length: number): Promise<boolean>;
  /**
   * Records the outcome of an unfinished upload; false (and nothing written)
   * when it was finished already: the caller lost a race and reads the winner's.
   */
  finish(id: string, outcome: UploadOutcome, at: string, expiresAt: string): Promise<boolean>;
  /**
   * Expires every unfinished upload of an owner as of `at` (abandoned): the
   * protocol answers them 410, and the expiry job removes them with their bytes.
   */
  abandonAllOf(ownerId: string, at: string): Promise<void>;
  /** Uploads, finished or not, whose expiry has passed. */
  expiredBefore(at: string, limit: number): Promise<UploadRecord[]>;
}

export interface CommentRecord {
  id: string;
  photoId: string;
  author: { id: string; username: string };
  text: string;
  createdAt: string;
  editedAt: string | null;
}

/** Which way a list runs. Ids are time-ordered (UUIDv7), so `newest` is descending id order. */
export type ListOrder = 'oldest' | 'newest';

export interface CommentRepository {
  insert(comment: {
    id: string;
    photoId: string;
    authorId: string;
    text: string;
    createdAt: string;
  }): Promise<void>;
  byId(id: string): Promise<CommentRecord | undefined>;
  edit(id: string, text: string, at: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** Up to `limit` + 1 of a photo's comments of the window, in `order`. */
  list(photoId: string, keyset: Keyset, order: ListOrder): Promise<CommentRecord[]>;
  /** Whether the photo has a comment beyond an id, `newer` or `older`. */
  existsBeyond(photoId: string, id: string, direction: 'newer' | 'older'): Promise<boolean>;
  /** Up to `limit` of an author's comments with an id above `afterId`, oldest first (the export). */
  byAuthor(authorId: string, afterId: string | undefined, limit: number): Promise<CommentRecord[]>;
  /** Removes every comment of an author, on anyone's photos. */
  deleteByAuthor(authorId: string): Promise<void>;
}

/** The caller a list is filtered for, by the rule of domain/access.ts `canSee`. */
export interface SeenBy {
  userId: string;
  /** Administrators see every photo that is not deleted. */
  isAdmin: boolean;
}

/** One of a user's favorites, with its photo. */
export interface FavoriteRecord {
  /** Orders a user's favorites by when they were added. */
  id: string;
  favoritedAt: string;
  photo: PhotoRecord;
}

export interface FavoriteRepository {
  /**
   * Adds a photo to a user's favorites and counts it on the photo; false
   * (nothing written) when it was there already. Two calls at once add it
   * once: the (user, photo) key decides. Run it in a transaction, so that
   * the favorite and the count commit together.
   */
  add(favorite: {
    id: string;
    userId: string;
    photoId: string;
    createdAt: string;
  }): Promise<boolean>;
  /** Removes it and uncounts it; false (nothing written) when it was not there. Same transaction rule. */
  remove(userId: string, photoId: string): Promise<boolean>;
  /** Which of these photos the user has among their favorites, in one query. */
  favoritedAmong(userId: string, photoIds: readonly string[]): Promise<Set<string>>;
  /**
   * Up to `limit` + 1 of the user's favorites of the window, the most
   * recently added first, keyed by favorite id: only those of photos the
   * user may see (`SeenBy` is the user), so a photo deleted, made private or
   * no longer shared with them drops out of the list.
   */
  list(seenBy: SeenBy, keyset: Keyset): Promise<FavoriteRecord[]>;
  /** Whether the list holds a favorite beyond an id, `newer` or `older`. */
  existsBeyond(seenBy: SeenBy, id: string, direction: 'newer' | 'older'): Promise<boolean>;
  /**
   * Removes all of a user's favorites and uncounts each on its photo, in two
   * statements however many. Same transaction rule as `remove`.
   */
  removeAllOf(userId: string): Promise<void>;
}

/** What a user decides for their account as a whole. */
export interface UserSettingsRecord {
  /** Whether photos uploaded from now on take comments. */
  commentsEnabledByDefault: boolean;
  /** Who sees the location of each of the user's photos that does not say otherwise. */
  locationVisibilityDefault: LocationVisibility;
}

export interface UserSettingsRepository {
  /** A user's settings: the defaults for one who never changed any. */
  get(userId: string): Promise<UserSettingsRecord>;
  /** Changes some settings, keeping the others; returns them all. */
  update(
    userId: string,
    changes: Partial<UserSettingsRecord>,
    at: string,
  ): Promise<UserSettingsRecord>;
  /** Forgets a user's settings. */
  delete(userId: string): Promise<void>;
}

/**
 * How to make a copy of an original without its GPS fields: bytes to write
 * over the original's at given offsets (the copy has the original's length),
 * and the copy's SHA-256. No patches: the file carries no GPS.
 */
export interface OriginalScrub {
  patches: readonly { offset: number; bytes: Uint8Array }[];
  sha256: string;
}

export interface OriginalScrubRepository {
  get(photoId: string): Promise<OriginalScrub | undefined>;
  /** The copies' digests of those photos that have a scrub, by photo id, in one query. */
  digests(photoIds: readonly string[]): Promise<Map<string, string>>;
  /** Keeps the first scrub recorded for a photo: every run works it out alike. */
  put(photoId: string, scrub: OriginalScrub, at: string): Promise<void>;
}

export interface FollowRecord {
  id: string;
  follower: { id: string; username: string };
  followee: { id: string; username: string };
  createdAt: string;
}

export interface FollowRepository {
  /**
   * Idempotent and race-safe: following twice, even at once, keeps the first
   * follow. Returns it; undefined when an unfollow removed it before it could
   * be read back (the follow happened, and was undone).
   */
  follow(follow: {
    id: string;
    followerId: string;
    followeeId: string;
    createdAt: string;
  }): Promise<FollowRecord | undefined>;
  /** False when there was no such follow. */
  unfollow(followerId: string, followeeId: string): Promise<boolean>;
  /** Up to `limit` + 1 follows of a user's followers (`followers`) or followees (`following`), newest first. */
  list(side: 'followers' | 'following', userId: string, keyset: Keyset): Promise<FollowRecord[]>;
  existsBeyond(
    side: 'followers' | 'following',
    userId: string,
    id: string,
    direction: 'newer' | 'older',
  ): Promise<boolean>;
  /**
   * Up to `limit` followers of a user, by follower id above `afterFollowerId`:
   * the fan-out's batches. With `grantedOnly`, only those the user shared with.
   */
  followerIds(
    userId: string,
    afterFollowerId: string | undefined,
    limit: number,
    grantedOnly: boolean,
  ): Promise<string[]>;
  /** Removes the follows of a user, both ways: whom it follows and who follows it. */
  deleteInvolving(userId: string): Promise<void>;
}

export interface NewNotification {
  id: string;
  recipientId: string;
  kind: string;
  /** With recipient and kind, what makes the notification unique: a second one like it is dropped. */
  subject: string;
  actorId: string | null;
  photoId: string | null;
  createdAt: string;
}

export interface NotificationRecord extends NewNotification {
  actor: { id: string; username: string } | null;
  readAt: string | null;
  /** Its place in the recipient's stream: positions grow in commit order, with gaps. */
  position: number;
}

export interface NotificationRepository {
  /**
   * Inserts those not there yet (by recipient, kind and subject), each at
   * the next position of its recipient's stream; returns how many were new.
   * A position is handed out only once every lower one of its recipient
   * has committed or rolled back, so streams read them in commit order.
   */
  insertMany(notifications: readonly NewNotification[]): Promise<number>;
  /**
   * Up to `limit` + 1 of a recipient's notifications, newest first, leaving
   * out those about a photo the recipient may no longer see.
   */
  list(
    recipientId: string,
    filter: { unreadOnly: boolean },
    keyset: Keyset,
  ): Promise<NotificationRecord[]>;
  existsBeyond(
    recipientId: string,
    filter: { unreadOnly: boolean },
    id: string,
    direction: 'newer' | 'older',
  ): Promise<boolean>;
  /** The recipient's visible notifications above a position, in position order: what a stream sends next. */
  since(recipientId: string, afterPosition: number, limit: number): Promise<NotificationRecord[]>;
  /** The highest position the recipient's stream has given out (0: none): where a fresh stream starts. */
  lastPosition(recipientId: string): Promise<number>;
  /**
   * Where a stream resumes after a notification: its position; if it is gone
   * (purged with its photo), just below the first one with a later id.
   */
  positionAfter(recipientId: string, id: string): Promise<number>;
  countUnread(recipientId: string): Promise<number>;
  /** How many notifications of a kind exist about a subject, whoever they are for (operations, tests). */
  countAbout(kind: string, subject: string): Promise<number>;
  byId(recipientId: string, id: string): Promise<NotificationRecord | undefined>;
  /** Marks unread ones read (all, or those with id at most `upTo`); returns how many changed. */
  markRead(recipientId: string, at: string, scope: { id?: string; upTo?: string }): Promise<number>;
  /** Removes the notifications a user received and those it caused (it is their actor). */
  deleteInvolving(userId: string): Promise<void>;
}

/** Repositories bound to one connection or transaction. */
export interface Repositories {
  users: UserRepository;
  tokens: TokenRepository;
  albums: AlbumRepository;
  photos: PhotoRepository;
  outbox: OutboxRepository;
  sagaAttempts: SagaAttemptRepository;
  uploads: UploadRepository;
  grants: GrantRepository;
  comments: CommentRepository;
  favorites: FavoriteRepository;
  settings: UserSettingsRepository;
  originalScrubs: OriginalScrubRepository;
  follows: FollowRepository;
  notifications: NotificationRepository;
  /** Photo search; the database keeps its index in step with every write (migration 0008). */
  search: SearchIndex;
}

/** The metadata database: repositories, and transactions over all of them. */
export interface MetadataStore extends Repositories {
  readonly dialect: string;
  /** Runs `work` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Brings the schema up to date. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
