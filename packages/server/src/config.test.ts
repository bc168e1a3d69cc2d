import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigSchema, type ConfigVariable, flagFor, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('needs no settings at all: the embedded default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      port: 8080,
      registration: 'open',
      uploadsPerUser: 1,
      freeTierPhotos: 1000,
      renditions: [],
    });
    expect(config.dataDir).toMatch(/data$/);
  });

  it('reads numbers, lists and rendition sizes from the environment', () => {
    const config = loadConfig({
      FLICKR_PORT: '9000',
      FLICKR_CLIENT_RENDER_DENYLIST: 'sdk/1.0.0, sdk/1.0.1',
      FLICKR_RENDITIONS: 'medium:500,large:1024:webp',
      DATABASE_URL: 'postgres://db/flickr',
    });
    expect(config).toMatchObject({
      port: 9000,
      clientRenderDenylist: ['sdk/1.0.0', 'sdk/1.0.1'],
      renditions: [
        { name: 'medium', width: 500, format: 'jpeg' },
        { name: 'large', width: 1024, format: 'webp' },
      ],
      databaseUrl: 'postgres://db/flickr',
    });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        FLICKR_PORT: 'eighty',
        FLICKR_REGISTRATION: 'maybe',
        DATABASE_URL: 'mysql://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/FLICKR_PORT/);
    expect(issues).toMatch(/FLICKR_REGISTRATION/);
    expect(issues).toMatch(/DATABASE_URL: must start with postgres:\/\/ or sqlite:/);
  });

  it.each(['thumbnail:100', 'medium', 'Medium:500', 'medium:500:gif'])(
    'refuses the rendition setting %s',
    (value) => {
      expect(() => loadConfig({ FLICKR_RENDITIONS: value })).toThrow(/FLICKR_RENDITIONS/);
    },
  );

  it('derives a flag from every variable, and a flag overrides the environment', () => {
    expect(flagFor('FLICKR_DATA_DIR')).toBe('--data-dir');
    expect(flagFor('DATABASE_URL')).toBe('--database-url');
    const flags = (Object.keys(ConfigSchema.shape) as ConfigVariable[]).map(flagFor);
    expect(new Set(flags).size).toBe(flags.length);
    expect(loadConfig({ FLICKR_PORT: '9000' }, { FLICKR_PORT: '9001' }).port).toBe(9001);
    // A bad environment value the flag replaces is not an error.
    expect(loadConfig({ FLICKR_PORT: 'eighty' }, { FLICKR_PORT: '0' }).port).toBe(0);
  });

  it('names the flag when a flag set the bad value', () => {
    expect(() => loadConfig({}, { FLICKR_SAGA_MAX_ATTEMPTS: '0' })).toThrow(
      /--saga-max-attempts \(FLICKR_SAGA_MAX_ATTEMPTS\): Too small/,
    );
  });
});

describe('the blob store setting', () => {
  it('is local folders by default', () => {
    expect(loadConfig({}).blobStore).toEqual({ kind: 'local' });
  });

  it('reads the S3 settings, the CDN tier in the same bucket under its own prefix', () => {
    expect(
      loadConfig({
        FLICKR_BLOB_STORE: 's3',
        FLICKR_S3_BUCKET: 'photos',
        FLICKR_S3_ENDPOINT: 'http://127.0.0.1:9000',
        FLICKR_S3_REGION: 'eu-west-1',
        FLICKR_S3_FORCE_PATH_STYLE: 'true',
      }).blobStore,
    ).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      blobs: { bucket: 'photos', prefix: 'blobs/' },
      cdn: { bucket: 'photos', prefix: 'cdn/' },
    });
  });

  it('puts the CDN tier in a bucket of its own when given one', () => {
    const setting = loadConfig({
      FLICKR_BLOB_STORE: 's3',
      FLICKR_S3_BUCKET: 'photos',
      FLICKR_S3_CDN_BUCKET: 'photos-cdn',
      FLICKR_S3_CDN_PREFIX: 'blobs/',
    }).blobStore;
    expect(setting).toMatchObject({
      forcePathStyle: false,
      endpoint: undefined,
      region: undefined,
      cdn: { bucket: 'photos-cdn', prefix: 'blobs/' },
    });
  });

  it('says that S3 needs a bucket', () => {
    expect(() => loadConfig({ FLICKR_BLOB_STORE: 's3' })).toThrow(
      /FLICKR_S3_BUCKET: required with FLICKR_BLOB_STORE=s3/,
    );
  });

  it.each([
    ['blobs/', 'blobs/'],
    ['files/', 'files/cdn/'],
    ['files/cdn/', 'files/'],
  ])('refuses a CDN prefix %s that overlaps the private prefix %s in one bucket', (blobs, cdn) => {
    expect(() =>
      loadConfig({
        FLICKR_BLOB_STORE: 's3',
        FLICKR_S3_BUCKET: 'photos',
        FLICKR_S3_PREFIX: blobs,
        FLICKR_S3_CDN_PREFIX: cdn,
      }),
    ).toThrow(/FLICKR_S3_CDN_PREFIX: .* overlaps FLICKR_S3_PREFIX/);
  });

  it('stages uploads in the bucket of originals, under a prefix of their own', () => {
    const config = loadConfig({
      FLICKR_BLOB_STORE: 's3',
      FLICKR_S3_BUCKET: 'photos',
      FLICKR_UPLOAD_STAGING: 's3',
    });
    expect(config.blobStore).toMatchObject({ staging: { bucket: 'photos', prefix: 'staging/' } });
    expect(() => loadConfig({ FLICKR_UPLOAD_STAGING: 's3' })).toThrow(
      /FLICKR_UPLOAD_STAGING: s3 needs FLICKR_BLOB_STORE=s3/,
    );
  });

  it.each([
    ['blobs/', 'cdn/', 'blobs/staging/'],
    ['blobs/', 'cdn/', 'cdn/'],
    ['files/staging/', 'cdn/', 'files/'],
  ])('refuses a staging prefix that overlaps another (%s, %s, %s)', (blobs, cdn, staging) => {
    expect(() =>
      loadConfig({
        FLICKR_BLOB_STORE: 's3',
        FLICKR_S3_BUCKET: 'photos',
        FLICKR_S3_PREFIX: blobs,
        FLICKR_S3_CDN_PREFIX: cdn,
        FLICKR_UPLOAD_STAGING: 's3',
        FLICKR_S3_STAGING_PREFIX: staging,
      }),
    ).toThrow(/FLICKR_S3_STAGING_PREFIX: .* overlaps/);
  });

  it('redirects the CDN tier to presigned GETs only with blobs on S3, for 10 s to an hour', () => {
    const s3 = { FLICKR_BLOB_STORE: 's3', FLICKR_S3_BUCKET: 'photos' };
    expect(loadConfig(s3).cdnRedirectSeconds).toBe(0);
    expect(loadConfig({ FLICKR_CDN_REDIRECT_SECONDS: '0' }).cdnRedirectSeconds).toBe(0);
    expect(loadConfig({ ...s3, FLICKR_CDN_REDIRECT_SECONDS: '60' }).cdnRedirectSeconds).toBe(60);
    expect(() => loadConfig({ FLICKR_CDN_REDIRECT_SECONDS: '60' })).toThrow(
      /FLICKR_CDN_REDIRECT_SECONDS: .*FLICKR_BLOB_STORE=s3/,
    );
    for (const value of ['5', '7200', 'soon'])
      expect(() => loadConfig({ ...s3, FLICKR_CDN_REDIRECT_SECONDS: value })).toThrow(
        /FLICKR_CDN_REDIRECT_SECONDS: /,
      );
  });

  it.each([
    ['FLICKR_BLOB_STORE', 'gcs'],
    ['FLICKR_S3_BUCKET', 'Photos'],
    ['FLICKR_S3_BUCKET', 'ab'],
    ['FLICKR_S3_CDN_BUCKET', 'under_score'],
    ['FLICKR_S3_PREFIX', 'blobs'],
    ['FLICKR_S3_PREFIX', '../blobs/'],
    ['FLICKR_S3_CDN_PREFIX', '.cdn/'],
    ['FLICKR_S3_FORCE_PATH_STYLE', 'yes'],
    ['FLICKR_S3_ENDPOINT', 'not a url'],
  ])('refuses %s=%j, naming it', (variable, value) => {
    expect(() =>
      loadConfig({ FLICKR_BLOB_STORE: 's3', FLICKR_S3_BUCKET: 'photos', [variable]: value }),
    ).toThrow(new RegExp(`${variable}: `));
  });
});
