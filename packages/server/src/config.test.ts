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
