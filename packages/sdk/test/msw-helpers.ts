// Shared pieces of the msw unit suites: a fake server's base URL, problem
// documents, a limits answer and a client whose fetch msw can intercept.
import { HttpResponse } from 'msw';
import { type ClientOptions, FlickrClient } from '../src/client.ts';
import type { Photo } from '../src/contract/photos.ts';
import type { Limits } from '../src/contract/uploads.ts';
import { MemoryUploadStateStore } from '../src/uploads/upload-state-store.ts';

export const BASE = 'http://flickr.test';

export const problem = (
  status: number,
  code: string,
  detail = 'it went wrong',
  headers: Record<string, string> = {},
) =>
  HttpResponse.json(
    {
      type: `https://flickr-kit.dev/problems/${code}`,
      title: code,
      status,
      code,
      detail,
      requestId: 'req-1',
    },
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );

export const limits: Limits = {
  maxUploadBytes: 200 * 2 ** 20,
  pixelLimit: 100_000_000,
  uploadsInFlightPerUser: 2,
  originalDownloadsInFlightPerUser: 1,
  freeTierPhotos: 1000,
  maxHashesPerCheck: 1000,
  registration: 'open',
  tusEndpoint: '/v1/uploads/files',
  clientRendering: {
    specVersion: 'test-spec',
    maxBytes: 16 * 1024,
    spec: { name: 'thumbnail', width: 50, fit: 'inside', format: 'jpeg', quality: 80 },
  },
  renditions: [],
};

export const ID = '01a20cdf-0c57-7000-b760-b1161089238c';
export const OTHER_ID = '01a20cdf-0ca5-7000-8574-4e14a2a5e0a4';
export const CREATED = '2026-11-24T09:00:00.000Z';

export function testClient(options: Partial<ClientOptions> = {}): FlickrClient {
  return new FlickrClient({
    baseUrl: BASE,
    token: 'fk_test',
    // msw intercepts the global fetch; the default undici fetch bypasses it.
    fetch: (input, init) => globalThis.fetch(input, init),
    uploadStateStore: new MemoryUploadStateStore(),
    ...options,
  });
}

/** A photo as the contract describes it, with fields a test overrides. */
export function photoFixture(overrides: Partial<Photo> = {}): Photo {
  return {
    id: ID,
    ownerId: OTHER_ID,
    album: null,
    sha256: 'ab'.repeat(32),
    bytes: 4,
    originalName: 'IMG_1.jpg',
    title: '',
    description: '',
    tags: [],
    visibility: 'private',
    commentsEnabled: true,
    favoriteCount: 0,
    favorited: false,
    status: 'ready',
    statusReason: null,
    format: 'jpeg',
    width: 1,
    height: 1,
    capturedAt: null,
    camera: null,
    location: null,
    locationPrivacy: null,
    placeholder: null,
    renditions: [],
    originalUrl: `${BASE}/cdn/original`,
    // The caller gets the original as uploaded, unless a test says otherwise.
    originalSha256: overrides.sha256 ?? 'ab'.repeat(32),
    urlsExpireAt: CREATED,
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

/** Lets pending promise callbacks and I/O callbacks run, without moving fake timers. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
