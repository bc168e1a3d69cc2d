import { resolve } from 'node:path';
import { DEFAULT_PIXEL_LIMIT } from '@flickr-kit/thumbnail-core';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** S3's bucket naming rules, in short: 3 to 63 of a-z, 0-9, dots and hyphens, a letter or digit at each end. */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * A key prefix: segments like a blob key's, each followed by `/` (nothing
 * hidden, nothing that climbs). Never empty: an empty variable is an unset
 * one, and two stores in one bucket need one each.
 */
const s3Prefix = z
  .string()
  .regex(
    /^([A-Za-z0-9][A-Za-z0-9._-]{0,127}\/)+$/,
    'must be segments of letters, digits, dots, hyphens and underscores, each ending in "/"',
  );

/**
 * Every setting, from environment variables. Each has a default, so the
 * embedded server needs none; docs/configuration.md lists them all.
 */
export const ConfigSchema = z.object({
  FLICKR_DATA_DIR: z
    .string()
    .default('./data')
    .describe('Folder for the SQLite database, blobs and resumable uploads'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres:// or sqlite:')
    .optional()
    .describe('PostgreSQL connection string; SQLite in the data folder when unset'),
  FLICKR_BLOB_STORE: z
    .enum(['local', 's3'])
    .default('local')
    .describe(
      "Where originals, renditions and the CDN tier's files live: `local` (folders in the data folder) or `s3` (an S3-compatible bucket; credentials from the standard AWS chain: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, an instance role)",
    ),
  FLICKR_S3_ENDPOINT: z
    .url()
    .optional()
    .describe(
      'URL of an S3-compatible service (MinIO, Ceph, R2, …); AWS S3 of the region when unset',
    ),
  FLICKR_S3_REGION: z
    .string()
    .optional()
    .describe('Region of the bucket; from `AWS_REGION` or the AWS config file when unset'),
  FLICKR_S3_BUCKET: z
    .string()
    .regex(S3_BUCKET, 'must be an S3 bucket name (3 to 63 of a-z, 0-9, dots and hyphens)')
    .optional()
    .describe('Bucket of originals and renditions (required with `FLICKR_BLOB_STORE=s3`)'),
  FLICKR_S3_PREFIX: s3Prefix
    .default('blobs/')
    .describe('Key prefix of originals and renditions in their bucket'),
  FLICKR_S3_CDN_BUCKET: z
    .string()
    .regex(S3_BUCKET, 'must be an S3 bucket name (3 to 63 of a-z, 0-9, dots and hyphens)')
    .optional()
    .describe('Bucket of the files the CDN tier serves; `FLICKR_S3_BUCKET` when unset'),
  FLICKR_S3_CDN_PREFIX: s3Prefix
    .default('cdn/')
    .describe('Key prefix of the files the CDN tier serves in their bucket'),
  FLICKR_UPLOAD_STAGING: z
    .enum(['local', 's3'])
    .default('local')
    .describe(
      'Where resumable uploads accumulate until stored: `local` (the data folder: one API process, or folders they share) or `s3` (the bucket of originals, under `FLICKR_S3_STAGING_PREFIX`, so any API process continues any upload; needs `FLICKR_BLOB_STORE=s3`)',
    ),
  FLICKR_S3_STAGING_PREFIX: s3Prefix
    .default('staging/')
    .describe('Key prefix of uploads in progress in the bucket of originals'),
  FLICKR_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe(
      'Address buckets as `endpoint/bucket` rather than `bucket.endpoint`, as most S3-compatible services on an address or a single host name need',
    ),
  FLICKR_HOST: z.string().default('127.0.0.1').describe('Address to listen on'),
  FLICKR_PORT: int(0, 65535).default(8080).describe('Port to listen on (0: any free port)'),
  FLICKR_PUBLIC_URL: z
    .url()
    .optional()
    .describe('URL clients reach the server at, when behind a proxy'),
  FLICKR_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value): boolean | number | string[] => {
      if (value === 'true' || value === 'false') return value === 'true';
      if (/^\d+$/.test(value)) return Number(value);
      return value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    })
    .describe(
      'Whose X-Forwarded-For, -Proto and -Host headers to believe (client address, absolute URLs): `false`, `true` (any), a number of proxy hops, or addresses and CIDR ranges, comma-separated',
    ),
  FLICKR_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe level logged (JSON lines on standard output)'),
  FLICKR_REGISTRATION: z
    .enum(['open', 'closed'])
    .default('open')
    .describe('Whether anyone may register'),
  FLICKR_SESSION_DAYS: int(1, 3650).default(30).describe('Lifetime of a login session token'),
  FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: int(1)
    .default(10)
    .describe('Login and registration attempts per client address'),
  FLICKR_MAX_UPLOAD_BYTES: int(1)
    .default(200 * 2 ** 20)
    .describe('Largest accepted file'),
  FLICKR_PIXEL_LIMIT: int(1)
    .default(DEFAULT_PIXEL_LIMIT)
    .describe('Largest accepted image, in pixels'),
  FLICKR_UPLOADS_PER_USER: int(1).default(1).describe('Upload transfers in flight per user'),
  FLICKR_UPLOAD_WAIT_SECONDS: int(0, 3600)
    .default(60)
    .describe(
      'How long a transfer over the per-user limit waits for its turn before it is refused with 429 (tus clients sending parts in parallel rarely retry a 429); 0 refuses at once',
    ),
  FLICKR_ORIGINAL_DOWNLOADS_PER_USER: int(1)
    .default(1)
    .describe('Original downloads in flight per user'),
  FLICKR_FREE_TIER_PHOTOS: int(1).default(1000).describe('Photos a user may keep'),
  FLICKR_UPLOAD_EXPIRY_HOURS: int(1)
    .default(24)
    .describe('Unfinished uploads that receive no bytes for this long are removed'),
  FLICKR_RENDITIONS: z
    .string()
    .default('')
    .describe(
      'Extra rendition sizes beyond the thumbnail, as name:width[:format], comma-separated, e.g. medium:500,large:1024:webp',
    ),
  FLICKR_CLIENT_RENDER_DENYLIST: list
    .default([])
    .describe('Client versions whose thumbnails are never kept, comma-separated'),
  FLICKR_SIGNING_KEY: z
    .string()
    .regex(/^[0-9a-f]{64,}$/, 'must be at least 64 hex characters (32 bytes)')
    .optional()
    .describe(
      'Secret that signs CDN URLs and cursors; every process must share it. A key kept in the data folder when unset',
    ),
  FLICKR_CDN_URL: z
    .url()
    .optional()
    .describe(
      'Base URL of the CDN tier (role cdn); signed URLs are relative to the API (/cdn/...) when unset',
    ),
  FLICKR_URL_TTL_SECONDS: int(30, 86_400).default(300).describe('Lifetime of signed CDN URLs'),
  FLICKR_CDN_REDIRECT_SECONDS: int(0, 3600)
    .refine((seconds) => seconds === 0 || seconds >= 10, 'must be 0 (stream) or 10 to 3600')
    .default(0)
    .describe(
      'When set (10 to 3600), the CDN tier answers a request for a thumbnail or rendition, once it has checked the signature and the viewer, with a 302 to a presigned S3 GET valid this long, instead of streaming the bytes itself (needs `FLICKR_BLOB_STORE=s3`). Originals are always streamed: one at a time per user, and GPS-free copies for viewers who may not see a location. 0 streams everything',
    ),
  FLICKR_PURGE_AFTER_HOURS: int(0)
    .default(24)
    .describe('Files of deleted photos are purged this long after deletion'),
  FLICKR_SAGA_MAX_ATTEMPTS: int(1, 100)
    .default(5)
    .describe('Attempts of a saga step before it is parked'),
  FLICKR_SAGA_BACKOFF_MS: int(1)
    .default(1000)
    .describe('First retry delay of a failed saga step; doubles each attempt'),
  FLICKR_SAGA_LEASE_MS: int(100)
    .default(30_000)
    .describe('How long a worker holds a saga step before another may take it over'),
  FLICKR_WORKER_CONCURRENCY: int(1, 64)
    .default(2)
    .describe('Saga steps one worker process runs at once'),
  FLICKR_WORKER_POLL_MS: int(10)
    .default(500)
    .describe('How often an idle worker looks for due saga steps'),
  FLICKR_SHUTDOWN_GRACE_MS: int(0)
    .default(10_000)
    .describe('How long shutdown waits for requests and steps in flight'),
  FLICKR_NOTIFICATION_POLL_MS: int(50)
    .default(1000)
    .describe('How often a notification stream looks for notifications written by other processes'),
  FLICKR_NOTIFICATION_HEARTBEAT_MS: int(100)
    .default(15_000)
    .describe('How often an idle notification stream sends a heartbeat comment'),
});

export type RawConfig = z.input<typeof ConfigSchema>;

export interface RenditionSetting {
  name: string;
  width: number;
  format: 'jpeg' | 'webp' | 'png' | 'avif';
}

/** Where blobs live: folders in the data folder (the embedded default), or S3 buckets. */
export type BlobStoreSetting =
  | { kind: 'local' }
  | {
      kind: 's3';
      endpoint: string | undefined;
      region: string | undefined;
      forcePathStyle: boolean;
      /** Originals and renditions. */
      blobs: { bucket: string; prefix: string };
      /** What the CDN tier serves. */
      cdn: { bucket: string; prefix: string };
      /** Uploads in progress, when staged in S3 (`FLICKR_UPLOAD_STAGING=s3`). */
      staging: { bucket: string; prefix: string } | undefined;
    };

export interface Config {
  dataDir: string;
  blobStore: BlobStoreSetting;
  databaseUrl: string | undefined;
  host: string;
  port: number;
  publicUrl: string | undefined;
  trustProxy: boolean | number | string[];
  logLevel: z.infer<typeof ConfigSchema>['FLICKR_LOG_LEVEL'];
  registration: 'open' | 'closed';
  sessionDays: number;
  loginAttemptsPerMinute: number;
  maxUploadBytes: number;
  pixelLimit: number;
  uploadsPerUser: number;
  uploadWaitSeconds: number;
  originalDownloadsPerUser: number;
  freeTierPhotos: number;
  uploadExpiryHours: number;
  renditions: RenditionSetting[];
  clientRenderDenylist: string[];
  signingKey: string | undefined;
  cdnUrl: string | undefined;
  urlTtlSeconds: number;
  /** 0: the CDN tier streams files; otherwise it redirects renditions to presigned GETs this long-lived. */
  cdnRedirectSeconds: number;
  purgeAfterHours: number;
  sagaMaxAttempts: number;
  sagaBackoffMs: number;
  sagaLeaseMs: number;
  workerConcurrency: number;
  workerPollMs: number;
  shutdownGraceMs: number;
  notificationPollMs: number;
  notificationHeartbeatMs: number;
}

/** A setting's variable name, e.g. `FLICKR_PORT` or `DATABASE_URL`. */
export type ConfigVariable = keyof typeof ConfigSchema.shape;

/**
 * The command-line flag that sets a variable: `FLICKR_DATA_DIR` is
 * `--data-dir`, `DATABASE_URL` is `--database-url`. Flags are derived, so
 * every documented variable has one and they cannot drift apart.
 */
export const flagFor = (variable: ConfigVariable): string =>
  `--${variable
    .replace(/^FLICKR_/, '')
    .toLowerCase()
    .replaceAll('_', '-')}`;

/** A configuration error: says which variable is wrong and why, one line each. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

const RENDITION = /^([a-z0-9][a-z0-9-]{0,31}):(\d{1,5})(?::(jpeg|webp|png|avif))?$/;

function parseRenditions(value: string): RenditionSetting[] {
  if (value.trim() === '') return [];
  return value.split(',').map((item) => {
    const match = RENDITION.exec(item.trim());
    if (!match || match[1] === 'thumbnail' || match[1] === 'original') {
      throw new ConfigError([
        `FLICKR_RENDITIONS: "${item}" is not name:width[:format] (names other than thumbnail and original)`,
      ]);
    }
    return {
      name: match[1] as string,
      width: Number(match[2]),
      format: (match[3] ?? 'jpeg') as RenditionSetting['format'],
    };
  });
}

/** The blob store setting, checked across its variables. */
function blobStoreSetting(c: z.infer<typeof ConfigSchema>): BlobStoreSetting {
  if (c.FLICKR_BLOB_STORE === 'local') {
    if (c.FLICKR_UPLOAD_STAGING === 's3')
      throw new ConfigError([
        'FLICKR_UPLOAD_STAGING: s3 needs FLICKR_BLOB_STORE=s3 (uploads are staged in the bucket of originals)',
      ]);
    return { kind: 'local' };
  }
  const bucket = c.FLICKR_S3_BUCKET;
  if (!bucket)
    throw new ConfigError([
      'FLICKR_S3_BUCKET: required with FLICKR_BLOB_STORE=s3: the bucket of originals and renditions',
    ]);
  const cdnBucket = c.FLICKR_S3_CDN_BUCKET ?? bucket;
  const [blobs, cdn] = [c.FLICKR_S3_PREFIX, c.FLICKR_S3_CDN_PREFIX];
  // Keys are the same in both stores: places that overlap would make publishing copy a file onto itself.
  if (cdnBucket === bucket && (blobs.startsWith(cdn) || cdn.startsWith(blobs)))
    throw new ConfigError([
      `FLICKR_S3_CDN_PREFIX: "${cdn}" overlaps FLICKR_S3_PREFIX "${blobs}" in bucket ${bucket}: give the CDN tier's files a prefix of their own, or a bucket (FLICKR_S3_CDN_BUCKET)`,
    ]);
  const staging = c.FLICKR_S3_STAGING_PREFIX;
  const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
  if (
    c.FLICKR_UPLOAD_STAGING === 's3' &&
    (overlaps(staging, blobs) || (cdnBucket === bucket && overlaps(staging, cdn)))
  )
    throw new ConfigError([
      `FLICKR_S3_STAGING_PREFIX: "${staging}" overlaps the prefix of other files in bucket ${bucket}: give uploads in progress a prefix of their own`,
    ]);
  return {
    kind: 's3',
    endpoint: c.FLICKR_S3_ENDPOINT,
    region: c.FLICKR_S3_REGION,
    forcePathStyle: c.FLICKR_S3_FORCE_PATH_STYLE,
    blobs: { bucket, prefix: blobs },
    cdn: { bucket: cdnBucket, prefix: cdn },
    staging: c.FLICKR_UPLOAD_STAGING === 's3' ? { bucket, prefix: staging } : undefined,
  };
}

const settingsIn = (values: Record<string, string | undefined>) =>
  Object.entries(values).filter(
    (entry): entry is [string, string] =>
      entry[0] in ConfigSchema.shape && entry[1] !== undefined && entry[1] !== '',
  );

/**
 * Parses the configuration once, at start; everything else receives typed
 * values. `flags` (by variable name, from the command line) override the
 * environment, and go through the same schema; an error names the flag when
 * a flag set the value.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  flags: Partial<Record<ConfigVariable, string>> = {},
): Config {
  const fromFlags = new Set(settingsIn(flags).map(([key]) => key));
  const result = ConfigSchema.safeParse(
    Object.fromEntries([...settingsIn(env), ...settingsIn(flags)]),
  );
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        const name = fromFlags.has(variable)
          ? `${flagFor(variable as ConfigVariable)} (${variable})`
          : variable || '(environment)';
        return `${name}: ${issue.message}`;
      }),
    );
  }
  const c = result.data;
  const blobStore = blobStoreSetting(c);
  if (c.FLICKR_CDN_REDIRECT_SECONDS > 0 && blobStore.kind !== 's3')
    throw new ConfigError([
      'FLICKR_CDN_REDIRECT_SECONDS: redirects go to presigned S3 GETs, which needs FLICKR_BLOB_STORE=s3',
    ]);
  return {
    dataDir: resolve(c.FLICKR_DATA_DIR),
    blobStore,
    databaseUrl: c.DATABASE_URL,
    host: c.FLICKR_HOST,
    port: c.FLICKR_PORT,
    publicUrl: c.FLICKR_PUBLIC_URL?.replace(/\/$/, ''),
    trustProxy: c.FLICKR_TRUST_PROXY,
    logLevel: c.FLICKR_LOG_LEVEL,
    registration: c.FLICKR_REGISTRATION,
    sessionDays: c.FLICKR_SESSION_DAYS,
    loginAttemptsPerMinute: c.FLICKR_LOGIN_ATTEMPTS_PER_MINUTE,
    maxUploadBytes: c.FLICKR_MAX_UPLOAD_BYTES,
    pixelLimit: c.FLICKR_PIXEL_LIMIT,
    uploadsPerUser: c.FLICKR_UPLOADS_PER_USER,
    uploadWaitSeconds: c.FLICKR_UPLOAD_WAIT_SECONDS,
    originalDownloadsPerUser: c.FLICKR_ORIGINAL_DOWNLOADS_PER_USER,
    freeTierPhotos: c.FLICKR_FREE_TIER_PHOTOS,
    uploadExpiryHours: c.FLICKR_UPLOAD_EXPIRY_HOURS,
    renditions: parseRenditions(c.FLICKR_RENDITIONS),
    clientRenderDenylist: c.FLICKR_CLIENT_RENDER_DENYLIST,
    signingKey: c.FLICKR_SIGNING_KEY,
    cdnUrl: c.FLICKR_CDN_URL?.replace(/\/$/, ''),
    urlTtlSeconds: c.FLICKR_URL_TTL_SECONDS,
    cdnRedirectSeconds: c.FLICKR_CDN_REDIRECT_SECONDS,
    purgeAfterHours: c.FLICKR_PURGE_AFTER_HOURS,
    sagaMaxAttempts: c.FLICKR_SAGA_MAX_ATTEMPTS,
    sagaBackoffMs: c.FLICKR_SAGA_BACKOFF_MS,
    sagaLeaseMs: c.FLICKR_SAGA_LEASE_MS,
    workerConcurrency: c.FLICKR_WORKER_CONCURRENCY,
    workerPollMs: c.FLICKR_WORKER_POLL_MS,
    shutdownGraceMs: c.FLICKR_SHUTDOWN_GRACE_MS,
    notificationPollMs: c.FLICKR_NOTIFICATION_POLL_MS,
    notificationHeartbeatMs: c.FLICKR_NOTIFICATION_HEARTBEAT_MS,
  };
}
