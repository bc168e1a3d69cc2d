// The authorization matrix: every operation of the contract, the tus endpoint
// and the CDN tier, called by every kind of caller, with the exact answer each
// must get. A route added to the contract without a row here fails the suite.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Access,
  type Album,
  type ErrorCode,
  type OperationId,
  operations,
  type Photo,
  type Scope,
  TUS_PATH,
} from '@flickr-kit/sdk/contract';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/domain/ids.ts';
import { notify } from '../src/domain/notifications.ts';
import type { SagaWorker } from '../src/saga/worker.ts';
import { FaultyBlobStore } from './faulty-blob-store.ts';
import { photoWithGps } from './generated-images.ts';
import { eventually, registerUser, startTestServer, type TestServer } from './harness.ts';
import { startInProcessWorker } from './in-process-worker.ts';
import { seedPhotos } from './seed.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

// ---------------------------------------------------------------------------
// Callers and outcomes: the matrix's columns and cells.

/**
 * Who calls. The owner owns every target; the viewer was granted access to
 * the owner's photos; the revoked viewer was granted, then revoked; the
 * admin is an administrator signed in with every scope; `unscoped` is an API
 * token lacking exactly the scope the route needs (the owner's, or on admin
 * routes the admin's own).
 */
const CALLERS = ['anonymous', 'owner', 'viewer', 'other', 'revoked', 'admin', 'unscoped'] as const;
type Caller = (typeof CALLERS)[number];

/** The two photos of the matrix, both ready, in one album of the owner. */
type Shown = 'private' | 'public';

/** What a caller gets: a status, the problem's code, and for reads which target photos it shows. */
interface Outcome {
  status: number;
  code?: ErrorCode;
  shows?: readonly Shown[];
  /** Whether the answer shows the located photo's location. */
  location?: boolean;
  /** Whether the original served carries the file's GPS fields. */
  gps?: boolean;
}

const OK: Outcome = { status: 200 };
const CREATED: Outcome = { status: 201 };
const ACCEPTED: Outcome = { status: 202 };
const DONE: Outcome = { status: 204 };
const shows = (...photos: Shown[]): Outcome => ({ status: 200, shows: photos });
const NO_TOKEN: Outcome = { status: 401, code: 'unauthenticated' };
const NO_SCOPE: Outcome = { status: 403, code: 'insufficient_scope' };
/** May see it, may not change it. */
const FORBIDDEN: Outcome = { status: 403, code: 'forbidden' };
/** May not see it: exactly as if it did not exist. */
const HIDDEN: Outcome = { status: 404, code: 'not_found' };
const CONFLICT: Outcome = { status: 409, code: 'conflict' };
const COMMENTS_OFF: Outcome = { status: 403, code: 'comments_disabled' };

const everyone = (outcome: Outcome): Record<Caller, Outcome> =>
  Object.fromEntries(CALLERS.map((caller) => [caller, outcome])) as Record<Caller, Outcome>;

const located = (location: boolean): Outcome => ({ status: 200, location });
const withGps = (gps: boolean): Outcome => ({ status: 200, gps });

const summary = ({ status, code, shows, location, gps }: Outcome) =>
  [
    status,
    code,
    shows && `showing [${shows.join(', ')}]`,
    location !== undefined && (location ? 'with its location' : 'without a location'),
    gps !== undefined && (gps ? 'as uploaded' : 'without GPS'),
  ]
    .filter(Boolean)
    .join(' ');

// ---------------------------------------------------------------------------
// The world the rows act on, built once in beforeAll.

interface Account {
  token: string;
  userId: string;
  username: string;
}

const PASSWORD = 'a long passphrase';

let server: TestServer;
let worker: SagaWorker;
let users: Record<Exclude<Caller, 'anonymous' | 'unscoped'> | 'grantee', Account>;
let photos: Record<Shown, Photo>;
/** A public photo whose file carries GPS, with the owner's default location setting (`shared`). */
let locatedPhoto: Photo;
/** The album holding both photos. */
let album: Album;
/** Photos uploaded to this album fail to store: targets for the admin's retry. */
let broken: Album;
/** The private photo as the API showed it to the revoked viewer while it was granted. */
let heldByRevoked: Photo;
let seed = 9000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { token?: string | undefined; json?: unknown; headers?: Record<string, string> } = {},
  raw?: Uint8Array,
): Promise<Answer> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    ...(raw ? { body: raw } : {}),
  });
  // Read to the end either way: an original download holds its slot until then.
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    body: text && json ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

async function ok<T>(answer: Promise<Answer>, status: number): Promise<T> {
  const { status: actual, body } = await answer;
  if (actual !== status)
    throw new Error(`expected ${status}, got ${actual}: ${JSON.stringify(body)}`);
  return body as T;
}

async function signIn(username: string): Promise<string> {
  const session = await ok<{ token: string }>(
    call('POST', '/v1/auth/login', { json: { username, password: PASSWORD } }),
    200,
  );
  return session.token;
}

const apiTokens = new Map<string, string>();

/** An API token of a user with these scopes; a new one when `fresh`, else one reused across cells. */
async function apiToken(user: Account, scopes: Scope[], fresh = false): Promise<string> {
  const key = `${user.userId}:${scopes.join(',')}`;
  const known = apiTokens.get(key);
  if (known && !fresh) return known;
  const created = await ok<{ token: string }>(
    call('POST', '/v1/tokens', { token: user.token, json: { name: 'matrix', scopes } }),
    201,
  );
  if (!fresh) apiTokens.set(key, created.token);
  return created.token;
}

/** Whose token, with which scopes, lacks exactly what a route needs. */
function lacking(needs: Access): { user: Account; scopes: Scope[] } {
  switch (needs) {
    case 'admin':
      return { user: users.admin, scopes: ['read', 'write', 'delete'] };
    case 'delete':
      return { user: users.owner, scopes: ['read', 'write'] };
    case 'write':
      return { user: users.owner, scopes: ['read'] };
    default:
      // read and public-read need `read`; user and public routes need no scope at all.
      return { user: users.owner, scopes: ['write'] };
  }
}

async function tokenFor(caller: Caller, row: Row): Promise<string | undefined> {
  if (caller === 'anonymous') return undefined;
  if (caller === 'unscoped') {
    const { user, scopes } = lacking(row.needs);
    return apiToken(user, scopes, row.endsToken);
  }
  return row.endsToken ? signIn(users[caller].username) : users[caller].token;
}

/** The user a CDN URL is signed for: the caller's own identity (`-`, anyone, when anonymous). */
function viewerOf(caller: Caller): string {
  if (caller === 'anonymous') return '-';
  if (caller === 'unscoped') return users.owner.userId;
  return users[caller].userId;
}

const uniqueName = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`;

// Fresh targets, for cells whose call destroys or changes what it acts on.

async function freshPrivatePhoto(): Promise<string> {
  const [id] = await seedPhotos(server.services.store, users.owner.userId, 1, {
    visibility: 'private',
  });
  return id as string;
}

async function freshUncommentablePhoto(): Promise<string> {
  const [id] = await seedPhotos(server.services.store, users.owner.userId, 1, {
    commentsEnabled: false,
  });
  return id as string;
}

/** A new comment by this user on one of the matrix's photos; returns its id. */
async function freshComment(author: Account, photo: Photo): Promise<string> {
  const created = await ok<{ id: string }>(
    call('POST', `/v1/photos/${photo.id}/comments`, {
      token: author.token,
      json: { text: uniqueName('comment ') },
    }),
    201,
  );
  return created.id;
}

async function freshFailedPhoto(): Promise<string> {
  const { photo } = await uploadPhoto(server.url, await testPhoto(seed++, 64, 48), {
    token: users.owner.token,
    metadata: { album: broken.name },
  });
  await eventually(
    async () =>
      (await server.services.store.photos.byId(photo.id))?.status === 'failed' ? true : undefined,
    20_000,
    'the photo to fail',
  );
  return photo.id;
}

async function freshAlbum(): Promise<string> {
  const created = await ok<Album>(
    call('POST', '/v1/albums', { token: users.owner.token, json: { name: uniqueName('album-') } }),
    201,
  );
  return created.id;
}

async function freshTokenId(): Promise<string> {
  const created = await ok<{ info: { id: string } }>(
    call('POST', '/v1/tokens', {
      token: users.owner.token,
      json: { name: 'target', scopes: ['read'] },
    }),
    201,
  );
  return created.info.id;
}

/**
 * A token of a new account for a caller kind, for cells that delete the
 * account they act on: the matrix's own users must outlive them. The
 * unscoped caller's token lacks `delete`; an admin's account is an admin's.
 */
async function freshAccountToken(caller: Caller): Promise<string | undefined> {
  if (caller === 'anonymous') return undefined;
  if (caller === 'admin') {
    const username = uniqueName('admin');
    await server.services.accounts.createUser(username, PASSWORD, { isAdmin: true });
    return signIn(username);
  }
  const user = await registerUser(server.url);
  if (caller !== 'unscoped') return user.token;
  return apiToken(user, lacking('delete').scopes, true);
}

/** A user the owner has just shared with. */
async function freshShare(): Promise<string> {
  const { username } = await registerUser(server.url);
  await ok(call('POST', '/v1/shares', { token: users.owner.token, json: { username } }), 201);
  return username;
}

/** A notification of the owner's, unread, as another service writes one. */
async function freshNotification(): Promise<string> {
  const subject = uniqueName('matrix-');
  await notify(server.services.store, {
    recipientId: users.owner.userId,
    kind: 'comment_added',
    actorId: users.other.userId,
    photoId: photos.public.id,
    subject,
  });
  const [newest] = await server.services.store.notifications.list(
    users.owner.userId,
    { unreadOnly: true },
    { limit: 1 },
  );
  return newest?.id as string;
}

const tusMetadata = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');

/** Opens a 10-byte tus upload (creation, no bytes yet) of a new file. */
const openUpload = (token: string | undefined) =>
  fetch(new URL(`${TUS_PATH}/`, server.url), {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'tus-resumable': '1.0.0',
      'upload-length': '10',
      'upload-metadata': tusMetadata({
        filename: 'matrix.jpg',
        sha256: randomBytes(32).toString('hex'),
      }),
    },
  });

/** An unfinished tus upload of the owner's; returns its id. */
async function freshUpload(): Promise<string> {
  const response = await openUpload(users.owner.token);
  expect(response.status).toBe(201);
  return (response.headers.get('location') ?? '').split('/').at(-1) as string;
}

const fileUrl = (photo: Photo, file: 'thumbnail' | 'original'): string =>
  file === 'original'
    ? (photo.originalUrl as string)
    : (photo.renditions.find((r) => r.name === 'thumbnail')?.url as string);

/**
 * A URL of the private photo's file for a caller: the one the revoked viewer
 * was given while granted, or one signed for the caller's identity exactly as
 * the API signs them (the API itself gives callers who may not see the photo
 * no URL at all).
 */
function privateFileUrl(file: 'thumbnail' | 'original', caller: Caller): string {
  if (caller === 'revoked') return fileUrl(heldByRevoked, file);
  const issued = fileUrl(photos.private, file);
  const key = decodeURIComponent(issued.slice('/cdn/'.length, issued.indexOf('?')));
  return server.services.signer.url(key, viewerOf(caller), server.services.signer.expiry());
}

/** Which of the matrix's photos an answer shows: a photo, a page of them or of favorites, or a dedup check. */
function shownIn(body: Record<string, unknown>): Shown[] {
  const ids = new Set<string>();
  if (typeof body.id === 'string') ids.add(body.id);
  for (const item of (body.items ?? []) as { id?: string; photo?: { id: string } }[]) {
    if (item.id) ids.add(item.id);
    if (item.photo) ids.add(item.photo.id);
  }
  for (const known of (body.existing ?? []) as { photoId: string }[]) ids.add(known.photoId);
  return (['private', 'public'] as const).filter((name) => ids.has(photos[name].id));
}

// ---------------------------------------------------------------------------
// The matrix: one row per route and target, one cell per caller.

interface Row {
  /** The contract operation, or the tier outside the contract. */
  route: OperationId | 'tus' | 'cdn';
  /** What is called and on what, for the test names. */
  target: string;
  /** What the route needs: chooses the `unscoped` caller's token. */
  needs: Access;
  /** The call ends the caller's token: every cell signs in afresh. */
  endsToken?: boolean;
  send(token: string | undefined, caller: Caller): Promise<Answer>;
  expect: Record<Caller, Outcome>;
}

interface ContractCall {
  params?: Record<string, string>;
  json?: unknown;
}

/** A row for a contract operation: its method, path and access come from the contract itself. */
function operation(
  route: OperationId,
  target: string,
  request: () => ContractCall | Promise<ContractCall>,
  expected: Record<Caller, Outcome>,
  options: { endsToken?: boolean } = {},
): Row {
  const { method, path, access } = operations[route];
  return {
    route,
    target,
    needs: access,
    ...options,
    expect: expected,
    send: async (token) => {
      const { params = {}, json } = await request();
      const url = path.replace(/:(\w+)/g, (_, name: string) =>
        encodeURIComponent(params[name] ?? ''),
      );
      return call(method, url, { token, json });
    },
  };
}

const ROWS: Row[] = [
  // Accounts and tokens.
  operation(
    'register',
    'a new account',
    () => ({ json: { username: uniqueName('new'), password: PASSWORD } }),
    everyone(CREATED),
  ),
  operation(
    'login',
    'the owner’s account',
    () => ({ json: { username: users.owner.username, password: PASSWORD } }),
    everyone(OK),
  ),
  operation(
    'logout',
    'the caller’s own token',
    () => ({}),
    { ...everyone(DONE), anonymous: NO_TOKEN },
    { endsToken: true },
  ),
  operation('whoami', 'the caller', () => ({}), { ...everyone(OK), anonymous: NO_TOKEN }),
  operation('listTokens', 'the caller’s tokens', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
  }),
  // A token grants no scope it lacks: the unscoped token has no `read` to give.
  operation(
    'createToken',
    'a read-only token',
    () => ({ json: { name: 'ci', scopes: ['read'] } }),
    { ...everyone(CREATED), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  ),
  operation(
    'revokeToken',
    'a fresh token of the owner',
    async () => ({
      params: { id: await freshTokenId() },
    }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: DONE,
    },
  ),

  // Uploads.
  operation('getLimits', 'the server’s limits', () => ({}), everyone(OK)),
  // The dedup check answers for the caller's own photos only: it leaks nobody else's hashes.
  operation(
    'checkHashes',
    'the private photo’s hash',
    () => ({ json: { sha256: [photos.private.sha256] } }),
    {
      anonymous: NO_TOKEN,
      owner: shows('private'),
      viewer: shows(),
      other: shows(),
      revoked: shows(),
      admin: shows(),
      unscoped: NO_SCOPE,
    },
  ),

  // Photos.
  operation('getPhoto', 'the private photo', () => ({ params: { id: photos.private.id } }), {
    anonymous: HIDDEN,
    owner: shows('private'),
    viewer: shows('private'),
    other: HIDDEN,
    revoked: HIDDEN,
    admin: shows('private'),
    unscoped: NO_SCOPE,
  }),
  operation('getPhoto', 'the public photo', () => ({ params: { id: photos.public.id } }), {
    ...everyone(shows('public')),
    unscoped: NO_SCOPE,
  }),
  // Its location: the owner, administrators and those shared with (the default, `shared`).
  operation('getPhoto', 'the located photo', () => ({ params: { id: locatedPhoto.id } }), {
    anonymous: located(false),
    owner: located(true),
    viewer: located(true),
    other: located(false),
    revoked: located(false),
    admin: located(true),
    unscoped: NO_SCOPE,
  }),
  operation(
    'updatePhoto',
    'the private photo',
    () => ({ params: { id: photos.private.id }, json: { title: uniqueName('title ') } }),
    {
      anonymous: NO_TOKEN,
      owner: OK,
      viewer: FORBIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: OK,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'updatePhoto',
    'the public photo',
    () => ({ params: { id: photos.public.id }, json: { title: uniqueName('title ') } }),
    {
      anonymous: NO_TOKEN,
      owner: OK,
      viewer: FORBIDDEN,
      other: FORBIDDEN,
      revoked: FORBIDDEN,
      admin: OK,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'deletePhoto',
    'a fresh private photo',
    async () => ({
      params: { id: await freshPrivatePhoto() },
    }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: FORBIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: DONE,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'listUserPhotos',
    'the owner’s photos',
    () => ({
      params: { username: users.owner.username },
    }),
    {
      anonymous: shows('public'),
      owner: shows('private', 'public'),
      viewer: shows('private', 'public'),
      other: shows('public'),
      revoked: shows('public'),
      admin: shows('private', 'public'),
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'retryPhoto',
    'a fresh failed photo',
    async () => ({
      params: { id: await freshFailedPhoto() },
    }),
    {
      anonymous: NO_TOKEN,
      owner: NO_SCOPE,
      viewer: NO_SCOPE,
      other: NO_SCOPE,
      revoked: NO_SCOPE,
      admin: ACCEPTED,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'retryPhoto',
    'the ready private photo',
    () => ({ params: { id: photos.private.id } }),
    {
      anonymous: NO_TOKEN,
      owner: NO_SCOPE,
      viewer: NO_SCOPE,
      other: NO_SCOPE,
      revoked: NO_SCOPE,
      admin: CONFLICT,
      unscoped: NO_SCOPE,
    },
  ),

  // Albums: names are public, the photos in them are filtered per caller, and
  // an album is changed by its owner only (administrators moderate photos, not albums).
  operation('createAlbum', 'a new album', () => ({ json: { name: uniqueName('album-') } }), {
    ...everyone(CREATED),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation(
    'listAlbums',
    'the owner’s albums',
    () => ({
      params: { username: users.owner.username },
    }),
    { ...everyone(OK), unscoped: NO_SCOPE },
  ),
  operation(
    'renameAlbum',
    'a fresh album of the owner',
    async () => ({ params: { id: await freshAlbum() }, json: { name: uniqueName('renamed-') } }),
    {
      anonymous: NO_TOKEN,
      owner: OK,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'deleteAlbum',
    'a fresh album of the owner',
    async () => ({
      params: { id: await freshAlbum() },
    }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: NO_SCOPE,
    },
  ),
  operation('listAlbumPhotos', 'the album of both photos', () => ({ params: { id: album.id } }), {
    anonymous: shows('public'),
    owner: shows('private', 'public'),
    viewer: shows('private', 'public'),
    other: shows('public'),
    revoked: shows('public'),
    admin: shows('private', 'public'),
    unscoped: NO_SCOPE,
  }),

  // Shares: each caller shares its own photos, and revokes only its own shares.
  operation(
    'grantAccess',
    'a share with another user',
    () => ({
      json: { username: users.grantee.username },
    }),
    { ...everyone(CREATED), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  ),
  operation(
    'revokeAccess',
    'a fresh share of the owner',
    async () => ({
      params: { username: await freshShare() },
    }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: NO_SCOPE,
    },
  ),
  operation('listGrants', 'the caller’s shares', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation('listGrantsToMe', 'shares with the caller', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),

  // Account settings: each caller reads and changes its own.
  // Deleting needs the delete scope and the password again: a token alone is never enough.
  operation(
    'deleteAccount',
    'the caller’s account, with a wrong password',
    () => ({ json: { password: 'not the password' } }),
    {
      ...everyone({ status: 401, code: 'invalid_credentials' }),
      anonymous: NO_TOKEN,
      unscoped: NO_SCOPE,
    },
  ),
  {
    route: 'deleteAccount',
    target: 'a fresh account of the caller’s kind, with its password',
    needs: 'delete',
    send: async (_token, caller) =>
      call('DELETE', '/v1/me', {
        token: await freshAccountToken(caller),
        json: { password: PASSWORD },
      }),
    expect: { ...everyone(DONE), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  },
  operation('exportAccount', 'the caller’s data', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation('getSettings', 'the caller’s settings', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation(
    'updateSettings',
    'the caller’s settings',
    () => ({ json: { commentsEnabledByDefault: true } }),
    { ...everyone(OK), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  ),

  // Comments exist for a caller exactly when the photo does; the author edits
  // a comment, the author and the photo's owner (or an administrator) delete it.
  operation(
    'listComments',
    'the private photo’s comments',
    () => ({ params: { id: photos.private.id } }),
    {
      anonymous: HIDDEN,
      owner: OK,
      viewer: OK,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: OK,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'listComments',
    'the public photo’s comments',
    () => ({ params: { id: photos.public.id } }),
    { ...everyone(OK), unscoped: NO_SCOPE },
  ),
  operation(
    'addComment',
    'a comment on the private photo',
    () => ({ params: { id: photos.private.id }, json: { text: uniqueName('nice ') } }),
    {
      anonymous: NO_TOKEN,
      owner: CREATED,
      viewer: CREATED,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: CREATED,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'addComment',
    'a comment on the public photo',
    () => ({ params: { id: photos.public.id }, json: { text: uniqueName('nice ') } }),
    { ...everyone(CREATED), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  ),
  operation(
    'addComment',
    'a comment on a public photo with comments off',
    async () => ({ params: { id: await freshUncommentablePhoto() }, json: { text: 'hello' } }),
    { ...everyone(COMMENTS_OFF), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  ),
  operation(
    'editComment',
    'a fresh comment of the viewer on the private photo',
    async () => ({
      params: { id: await freshComment(users.viewer, photos.private) },
      json: { text: uniqueName('edited ') },
    }),
    {
      anonymous: NO_TOKEN,
      owner: FORBIDDEN,
      viewer: OK,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: FORBIDDEN,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'deleteComment',
    'a fresh comment of the viewer on the private photo',
    async () => ({ params: { id: await freshComment(users.viewer, photos.private) } }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: DONE,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: DONE,
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'deleteComment',
    'a fresh comment of the other user on the public photo',
    async () => ({ params: { id: await freshComment(users.other, photos.public) } }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: FORBIDDEN,
      other: DONE,
      revoked: FORBIDDEN,
      admin: DONE,
      unscoped: NO_SCOPE,
    },
  ),

  // Favorites: listed before the rows that add and remove some, so that it
  // shows what beforeAll made: the revoked viewer's favorite of the private
  // photo is kept, but not listed.
  operation('listFavorites', 'the caller’s favorites', () => ({}), {
    anonymous: NO_TOKEN,
    owner: shows(),
    viewer: shows('private', 'public'),
    other: shows(),
    revoked: shows('public'),
    admin: shows(),
    unscoped: NO_SCOPE,
  }),
  operation('favoritePhoto', 'the private photo', () => ({ params: { id: photos.private.id } }), {
    anonymous: NO_TOKEN,
    owner: OK,
    viewer: OK,
    other: HIDDEN,
    revoked: HIDDEN,
    admin: OK,
    unscoped: NO_SCOPE,
  }),
  operation('unfavoritePhoto', 'the private photo', () => ({ params: { id: photos.private.id } }), {
    anonymous: NO_TOKEN,
    owner: OK,
    viewer: OK,
    other: HIDDEN,
    revoked: HIDDEN,
    admin: OK,
    unscoped: NO_SCOPE,
  }),
  operation('favoritePhoto', 'the public photo', () => ({ params: { id: photos.public.id } }), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),

  // Profiles: each caller reads and sets its own.
  operation('getProfile', 'the caller’s profile', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation(
    'updateProfile',
    'the caller’s profile, kept public',
    () => ({ json: { visibility: 'public' } }),
    {
      ...everyone(OK),
      anonymous: NO_TOKEN,
      unscoped: NO_SCOPE,
    },
  ),

  // Follows: anyone signed in follows anyone but themselves; the lists of a public profile are public.
  operation('followUser', 'the owner', () => ({ params: { username: users.owner.username } }), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    owner: { status: 400, code: 'bad_request' },
    unscoped: NO_SCOPE,
  }),
  operation('unfollowUser', 'the owner', () => ({ params: { username: users.owner.username } }), {
    ...everyone(DONE),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation(
    'listFollowers',
    'the owner’s followers',
    () => ({ params: { username: users.owner.username } }),
    {
      ...everyone(OK),
      unscoped: NO_SCOPE,
    },
  ),
  operation(
    'listFollowing',
    'whom the owner follows',
    () => ({ params: { username: users.owner.username } }),
    {
      ...everyone(OK),
      unscoped: NO_SCOPE,
    },
  ),

  // Notifications: each caller reads and marks its own only.
  operation('listNotifications', 'the caller’s notifications', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation('countUnreadNotifications', 'the caller’s unread count', () => ({}), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  operation(
    'markNotificationRead',
    'a fresh notification of the owner',
    async () => ({ params: { id: await freshNotification() } }),
    {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: NO_SCOPE,
    },
  ),
  operation('markNotificationsRead', 'all of the caller’s notifications', () => ({ json: {} }), {
    ...everyone(OK),
    anonymous: NO_TOKEN,
    unscoped: NO_SCOPE,
  }),
  {
    route: 'streamNotifications',
    target: 'the caller’s notification stream',
    needs: 'read',
    send: async (token) => {
      const stream = new AbortController();
      const response = await fetch(new URL('/v1/notifications/stream', server.url), {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: stream.signal,
      });
      if (response.status === 200) {
        stream.abort();
        return { status: 200, body: {} };
      }
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    expect: { ...everyone(OK), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  },

  // Search finds exactly what the caller may see: the same photos as the album's listing.
  {
    route: 'searchPhotos',
    target: 'a word in both photos’ descriptions',
    needs: 'public-read',
    send: async (token) => {
      for (const photo of [photos.private, photos.public])
        await server.services.store.photos.update(photo.id, { description: 'matrixsearch' });
      return call('GET', `/v1/search/photos?q=matrixsearch&album=${album.id}`, { token });
    },
    expect: {
      anonymous: shows('public'),
      owner: shows('private', 'public'),
      viewer: shows('private', 'public'),
      other: shows('public'),
      revoked: shows('public'),
      admin: shows('private', 'public'),
      unscoped: NO_SCOPE,
    },
  },

  // The tus endpoint: uploading needs `write`, and a caller sees only its own uploads.
  {
    route: 'tus',
    target: `POST ${TUS_PATH}/ (a new upload)`,
    needs: 'write',
    send: async (token) => {
      const response = await openUpload(token);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : {} };
    },
    expect: { ...everyone(CREATED), anonymous: NO_TOKEN, unscoped: NO_SCOPE },
  },
  {
    route: 'tus',
    target: `PATCH ${TUS_PATH}/:id (a fresh upload of the owner)`,
    needs: 'write',
    send: async (token) =>
      call(
        'PATCH',
        `${TUS_PATH}/${await freshUpload()}`,
        {
          token,
          headers: {
            'tus-resumable': '1.0.0',
            'upload-offset': '0',
            'content-type': 'application/offset+octet-stream',
          },
        },
        new Uint8Array(5),
      ),
    expect: {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: NO_SCOPE,
    },
  },
  // HEAD answers carry no body: the status says it all, and a problem's code cannot be read.
  {
    route: 'tus',
    target: `HEAD ${TUS_PATH}/:id (an unfinished upload of the owner)`,
    needs: 'write',
    send: async (token) => {
      const response = await fetch(new URL(`${TUS_PATH}/${await freshUpload()}`, server.url), {
        method: 'HEAD',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          'tus-resumable': '1.0.0',
        },
      });
      return {
        status: response.status,
        body: response.status === 200 ? { offset: response.headers.get('upload-offset') } : {},
      };
    },
    expect: {
      anonymous: { status: 401 },
      owner: OK,
      viewer: { status: 404 },
      other: { status: 404 },
      revoked: { status: 404 },
      admin: { status: 404 },
      unscoped: { status: 403 },
    },
  },
  {
    route: 'tus',
    target: `DELETE ${TUS_PATH}/:id (termination of an unfinished upload of the owner)`,
    needs: 'write',
    send: async (token) => {
      const id = await freshUpload();
      const answer = await call('DELETE', `${TUS_PATH}/${id}`, {
        token,
        headers: { 'tus-resumable': '1.0.0' },
      });
      // Terminated for the owner only: everyone else leaves the upload as it was.
      const kept = (await server.services.store.uploads.byId(id)) !== undefined;
      expect(kept, 'the upload is kept unless terminated').toBe(answer.status !== 204);
      return answer;
    },
    expect: {
      anonymous: NO_TOKEN,
      owner: DONE,
      viewer: HIDDEN,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: HIDDEN,
      unscoped: NO_SCOPE,
    },
  },

  // The CDN tier. Each caller presents a URL signed for its own identity (see
  // privateFileUrl), with its token. The URL is the credential: the tier
  // checks its signature and whether its viewer may still see the photo, not
  // the token, whose scopes were checked when the API signed the URL.
  {
    route: 'cdn',
    target: 'the private photo’s thumbnail',
    needs: 'read',
    send: (token, caller) => call('GET', privateFileUrl('thumbnail', caller), { token }),
    expect: {
      anonymous: HIDDEN,
      owner: OK,
      viewer: OK,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: OK,
      unscoped: OK,
    },
  },
  {
    route: 'cdn',
    target: 'the private photo’s original',
    needs: 'read',
    send: (token, caller) => call('GET', privateFileUrl('original', caller), { token }),
    expect: {
      anonymous: HIDDEN,
      owner: OK,
      viewer: OK,
      other: HIDDEN,
      revoked: HIDDEN,
      admin: OK,
      unscoped: OK,
    },
  },
  // The located photo's original, through the URL the API signs for each caller:
  // as uploaded to whoever sees the location, without its GPS fields to the rest.
  {
    route: 'cdn',
    target: 'the located photo’s original',
    needs: 'read',
    send: async (token) => {
      const shown = await call('GET', `/v1/photos/${locatedPhoto.id}`, { token });
      if (shown.status !== 200) return shown;
      const response = await fetch(new URL(shown.body.originalUrl as string, server.url));
      const bytes = Buffer.from(await response.arrayBuffer());
      const { exif } = await sharp(bytes).metadata();
      const gps = exif ? exifReader(exif).GPSInfo : undefined;
      return { status: response.status, body: { gps: gps?.GPSLatitude !== undefined } };
    },
    expect: {
      anonymous: withGps(false),
      owner: withGps(true),
      viewer: withGps(true),
      other: withGps(false),
      revoked: withGps(false),
      admin: withGps(true),
      // Its token lacks `read`: the API signs it no URL to follow.
      unscoped: NO_SCOPE,
    },
  },
  {
    route: 'cdn',
    target: 'the public photo’s thumbnail, as the API issued it',
    needs: 'read',
    send: (token) => call('GET', fileUrl(photos.public, 'thumbnail'), { token }),
    expect: everyone(OK),
  },
];

// ---------------------------------------------------------------------------

describe('authorization matrix', () => {
  beforeAll(async () => {
    server = await startTestServer(
      { FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000', FLICKR_SAGA_MAX_ATTEMPTS: '1' },
      { role: 'serve' },
    );
    const blobs = new FaultyBlobStore(server.services.blobs);
    worker = startInProcessWorker(server.services, { blobs });

    const [owner, viewer, other, revoked, grantee] = [
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
      await registerUser(server.url),
    ] as Account[];
    const adminName = uniqueName('admin');
    await server.services.accounts.createUser(adminName, PASSWORD, { isAdmin: true });
    const admin = (await signIn(adminName)) as string;
    const adminId = (await server.services.store.users.byUsername(adminName))?.id as string;
    users = {
      owner: owner as Account,
      viewer: viewer as Account,
      other: other as Account,
      revoked: revoked as Account,
      grantee: grantee as Account,
      admin: { token: admin, userId: adminId, username: adminName },
    };

    const asOwner = { token: users.owner.token };
    album = await ok<Album>(
      call('POST', '/v1/albums', { ...asOwner, json: { name: 'matrix' } }),
      201,
    );
    broken = await ok<Album>(
      call('POST', '/v1/albums', { ...asOwner, json: { name: 'broken' } }),
      201,
    );
    blobs.failWrites((key) => key.split('/')[1] === broken.id, Number.POSITIVE_INFINITY);

    const upload = async (visibility: 'private' | 'public') => {
      const { photo } = await uploadPhoto(server.url, await testPhoto(seed++, 160, 120), {
        token: users.owner.token,
        metadata: { album: album.name, visibility },
      });
      return eventually(async () => {
        const body = await ok<Photo>(call('GET', `/v1/photos/${photo.id}`, asOwner), 200);
        return body.status === 'ready' ? body : undefined;
      });
    };
    photos = { private: await upload('private'), public: await upload('public') };
    const { photo: withLocation } = await uploadPhoto(server.url, await photoWithGps(seed++), {
      token: users.owner.token,
      metadata: { visibility: 'public' },
    });
    locatedPhoto = await eventually(async () => {
      const body = await ok<Photo>(call('GET', `/v1/photos/${withLocation.id}`, asOwner), 200);
      return body.status === 'ready' ? body : undefined;
    });

    for (const { username } of [users.viewer, users.revoked])
      await ok(call('POST', '/v1/shares', { ...asOwner, json: { username } }), 201);
    // The revoked viewer did see the private photo and fetch its files, then lost them.
    heldByRevoked = await ok<Photo>(
      call('GET', `/v1/photos/${photos.private.id}`, { token: users.revoked.token }),
      200,
    );
    for (const file of ['thumbnail', 'original'] as const)
      await ok(call('GET', fileUrl(heldByRevoked, file)), 200);
    // Both granted viewers favorite both photos while they may see them.
    for (const { token } of [users.viewer, users.revoked])
      for (const photo of [photos.private, photos.public])
        await ok(call('PUT', `/v1/photos/${photo.id}/favorite`, { token }), 200);
    await ok(call('DELETE', `/v1/shares/${users.revoked.username}`, asOwner), 204);
  });
  afterAll(async () => {
    await worker?.stop(5_000);
    await server?.destroy();
  });

  it('has a row for every operation of the contract, and every row covers every caller', () => {
    const covered = new Set(ROWS.map((row) => row.route));
    expect(Object.keys(operations).filter((id) => !covered.has(id as OperationId))).toEqual([]);
    for (const row of ROWS) expect(Object.keys(row.expect).sort()).toEqual([...CALLERS].sort());
  });

  it('answers a photo the caller may not see exactly as a photo that does not exist', async () => {
    const stranger = { token: users.other.token };
    const problemOf = ({ status, body }: Answer) => ({ ...body, status, requestId: undefined });
    for (const [method, json] of [
      ['GET', undefined],
      ['PATCH', { title: 'mine' }],
      ['DELETE', undefined],
    ] as const) {
      const hidden = await call(method, `/v1/photos/${photos.private.id}`, { ...stranger, json });
      const missing = await call(method, `/v1/photos/${uuidv7()}`, { ...stranger, json });
      expect(problemOf(hidden), method).toEqual(problemOf(missing));
      expect(hidden.status, method).toBe(404);
    }
  });

  describe.each(ROWS.map((row) => ({ ...row, name: `${row.route}: ${row.target}` })))(
    '$name',
    (row) => {
      it.each(CALLERS.map((caller) => ({ caller, expected: summary(row.expect[caller]) })))(
        '$caller → $expected',
        async ({ caller }) => {
          const expected = row.expect[caller];
          const { status, body } = await row.send(await tokenFor(caller, row), caller);
          const actual: Outcome = {
            status,
            ...(expected.code || status >= 400 ? { code: body.code as ErrorCode } : {}),
            ...(expected.shows ? { shows: shownIn(body) } : {}),
            ...(expected.location === undefined ? {} : { location: Boolean(body.location) }),
            ...(expected.gps === undefined ? {} : { gps: body.gps === true }),
          };
          expect(actual, JSON.stringify(body)).toEqual(expected);
        },
      );
    },
  );
});
