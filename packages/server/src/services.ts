import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { probeHead } from '@flickr-kit/thumbnail-core';
import pino, { type Logger } from 'pino';
import { LocalBlobStore } from './adapters/blob/local-blob-store.ts';
import { S3BlobStore } from './adapters/blob/s3-blob-store.ts';
import { LruCache } from './adapters/cache/lru-cache.ts';
import { LocalEventBus } from './adapters/events/local-event-bus.ts';
import { createSqlMetadataStore } from './adapters/sql/sql-metadata-store.ts';
import { LocalUploadStaging } from './adapters/staging/local-upload-staging.ts';
import { S3UploadStaging } from './adapters/staging/s3-upload-staging.ts';
import type { Config } from './config.ts';
import { AccountDeletion } from './domain/account-deletion.ts';
import { AccountExporter } from './domain/account-export.ts';
import { AccountService } from './domain/accounts.ts';
import { AlbumService } from './domain/albums.ts';
import { CdnAccess } from './domain/cdn-access.ts';
import { CommentService } from './domain/comments.ts';
import { CursorCodec } from './domain/cursor.ts';
import { FavoriteService } from './domain/favorites.ts';
import { FollowService } from './domain/follows.ts';
import { InFlightLimiter } from './domain/in-flight-limiter.ts';
import { NotificationService } from './domain/notifications.ts';
import { OriginalScrubs } from './domain/original-scrubs.ts';
import { PhotoService } from './domain/photos.ts';
import { ProfileService } from './domain/profiles.ts';
import { ReceivedDigests } from './domain/received-digests.ts';
import { type RenditionPolicy, renditionPolicy } from './domain/rendition-policy.ts';
import { ResumableUploads } from './domain/resumable-uploads.ts';
import { SearchService } from './domain/search.ts';
import { SearchCursorCodec } from './domain/search-cursor.ts';
import { ShareService } from './domain/shares.ts';
import { UploadLocks } from './domain/upload-locks.ts';
import { UploadService } from './domain/uploads.ts';
import { CDN_PREFIX, UrlSigner } from './domain/url-signer.ts';
import type { BlobStore } from './ports/blob-store.ts';
import type { Cache } from './ports/cache.ts';
import type { EventBus } from './ports/event-bus.ts';
import type { MetadataStore } from './ports/metadata-store.ts';
import type { UploadStaging } from './ports/upload-staging.ts';
import { loadSigningKey } from './signing-key.ts';
import { Doorbell } from './support/doorbell.ts';
import { serializeRequest, serializeResponse } from './support/log-serializers.ts';

/** Everything the roles share, built from the configuration in one place. */
export interface Services {
  config: Config;
  log: Logger;
  store: MetadataStore & { description: string };
  /** Private storage of originals and renditions. */
  blobs: BlobStore;
  /** What the CDN tier serves. */
  cdn: BlobStore;
  staging: UploadStaging;
  bus: EventBus;
  cache: Cache;
  renditions: RenditionPolicy;
  accounts: AccountService;
  /** Deleting an account: everything of it unreachable in one transaction. */
  accountDeletion: AccountDeletion;
  /** The account's data as one streamed JSON document. */
  accountExporter: AccountExporter;
  uploads: UploadService;
  /** The tus resource model: creation, appends, concatenation, termination. */
  resumable: ResumableUploads;
  photos: PhotoService;
  albums: AlbumService;
  shares: ShareService;
  comments: CommentService;
  favorites: FavoriteService;
  profiles: ProfileService;
  follows: FollowService;
  notifications: NotificationService;
  /** Wakes this process's notification streams when a notification was committed here. */
  wakeup: Doorbell;
  /** Photo search under the access rules. */
  search: SearchService;
  signer: UrlSigner;
  cdnAccess: CdnAccess;
  /** The GPS-free copies of originals the CDN tier serves to those who may not see a location. */
  originalScrubs: OriginalScrubs;
  uploadLimiter: InFlightLimiter;
  originalsLimiter: InFlightLimiter;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'flickr-server' },
    serializers: { req: serializeRequest, res: serializeResponse, err: pino.stdSerializers.err },
  });
}

/** The private blob store, the CDN tier's and the uploads' staging, as configured, and what closes them. */
async function createStorage(
  config: Config,
  log: Logger,
): Promise<{ blobs: BlobStore; cdn: BlobStore; staging: UploadStaging; close(): void }> {
  const setting = config.blobStore;
  const localStaging = () => new LocalUploadStaging(join(config.dataDir, 'uploads'));
  if (setting.kind === 'local') {
    return {
      blobs: new LocalBlobStore(join(config.dataDir, 'blobs')),
      cdn: new LocalBlobStore(join(config.dataDir, 'cdn')),
      staging: localStaging(),
      close: () => {},
    };
  }
  // One client for both stores: publishing is then one CopyObject, inside S3.
  // Credentials come from the AWS SDK's own chain (environment, profile, role).
  const client = new S3Client({
    ...(setting.endpoint ? { endpoint: setting.endpoint } : {}),
    ...(setting.region ? { region: setting.region } : {}),
    forcePathStyle: setting.forcePathStyle,
  });
  // Decoders need originals on disk: temporary copies go to the data folder, not a tmpfs.
  const scratchDir = join(config.dataDir, 'scratch');
  const blobs = new S3BlobStore({ client, ...setting.blobs, scratchDir });
  const cdn = new S3BlobStore({ client, ...setting.cdn, scratchDir });
  try {
    await Promise.all([blobs.check(), cdn.check()]);
  } catch (error) {
    client.destroy();
    throw error;
  }
  const staging = setting.staging
    ? new S3UploadStaging({ client, ...setting.staging, scratchDir })
    : localStaging();
  log.info(
    {
      blobs: blobs.location,
      cdn: cdn.location,
      staging: setting.staging
        ? `s3://${setting.staging.bucket}/${setting.staging.prefix}`
        : 'local',
    },
    'blobs on S3',
  );
  return { blobs, cdn, staging, close: () => client.destroy() };
}

/**
 * The composition root: turns configuration into adapters and domain
 * services. No module-level singletons, so two servers can share a process.
 */
export async function createServices(
  config: Config,
  log: Logger = createLogger(config),
): Promise<Services> {
  // Private to the server's account, even when embedded in a process with a lax umask.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const { blobs, cdn, staging, close: closeBlobStores } = await createStorage(config, log);
  const store = createSqlMetadataStore(config.databaseUrl, config.dataDir);
  await store.migrate();
  const bus = new LocalEventBus();
  const cache = new LruCache();
  const renditions = renditionPolicy(config.renditions, config.clientRenderDenylist);
  const accounts = new AccountService(store, cache, {
    registration: config.registration,
    sessionDays: config.sessionDays,
  });
  const signingKey = await loadSigningKey(config.dataDir, config.signingKey);
  const signer = new UrlSigner(
    signingKey,
    config.urlTtlSeconds,
    config.cdnUrl ? `${config.cdnUrl}${CDN_PREFIX}` : CDN_PREFIX,
  );
  const cursors = new CursorCodec(signingKey);
  const photos = new PhotoService(store, bus, cache, signer, cursors);
  const uploads = new UploadService(store, staging, bus, config, renditions, photos);
  const resumable = new ResumableUploads(
    store.uploads,
    staging,
    uploads,
    new ReceivedDigests((header) => probeHead(header, { pixelLimit: config.pixelLimit })),
    new UploadLocks(),
    { maxUploadBytes: config.maxUploadBytes, expiryMs: config.uploadExpiryHours * 3_600_000 },
  );
  const wakeup = new Doorbell();
  log.info({ database: store.description, dataDir: config.dataDir }, 'services ready');
  return {
    config,
    log,
    store,
    blobs,
    cdn,
    staging,
    bus,
    cache,
    renditions,
    accounts,
    accountDeletion: new AccountDeletion(store, cache),
    accountExporter: new AccountExporter(store),
    uploads,
    resumable,
    photos,
    albums: new AlbumService(store),
    comments: new CommentService(store, cursors, wakeup),
    favorites: new FavoriteService(store, cursors, photos, wakeup),
    shares: new ShareService(store, cache, wakeup),
    profiles: new ProfileService(store, cache),
    follows: new FollowService(store, cursors),
    notifications: new NotificationService(store, cursors),
    wakeup,
    search: new SearchService(store, photos, new SearchCursorCodec(signingKey)),
    signer,
    cdnAccess: new CdnAccess(store, cache),
    originalScrubs: new OriginalScrubs(store, cdn),
    uploadLimiter: new InFlightLimiter(config.uploadsPerUser, 'Upload transfers'),
    originalsLimiter: new InFlightLimiter(
      config.originalDownloadsPerUser,
      'Original downloads',
      'too_many_downloads',
    ),
    close: async () => {
      await store.close();
      closeBlobStores();
    },
  };
}
