// flickr-cli and a photo's location, against a real server: setting and
// clearing it, who sees it (per photo and the account default), human output
// and --json, and one-line errors for coordinates that cannot be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCli } from './cli/run-cli.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('flickr-cli photos edit --location and location default', () => {
  let server: RealServer;
  let owner: Awaited<ReturnType<typeof signedInCli>>;
  let stranger: Awaited<ReturnType<typeof signedInCli>>;
  let id: string;

  beforeAll(async () => {
    server = await startRealServer();
    owner = await signedInCli(server);
    stranger = await signedInCli(server);
    const { photo: sent } = await owner.sdk.uploads.uploadFile(await photo(701), {
      visibility: 'public',
    });
    id = (await owner.sdk.photos.waitUntilReady(sent.id)).id;
  });
  afterAll(async () => {
    for (const user of [owner, stranger]) {
      await user.cli.destroy();
      await user.sdk.close();
    }
    await server.destroy();
  });

  it('sets a location and who sees it, and shows both to the owner', async () => {
    const set = await owner.cli.run([
      'photos',
      'edit',
      id,
      '--location',
      '48.8584, 2.2945',
      '--location-visibility',
      'anyone',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/location\s+48\.8584, 2\.2945\n/);
    expect(set.stdout).toMatch(/location shown to\s+everyone who may see the photo \(anyone\)/);
    expect((await stranger.sdk.photos.get(id)).location).toEqual({
      latitude: 48.8584,
      longitude: 2.2945,
    });

    const followed = await owner.cli.run([
      'photos',
      'edit',
      id,
      '--location-visibility',
      'default',
      '--json',
    ]);
    expect(followed.events[0]).toMatchObject({
      locationPrivacy: { override: null, effective: 'shared' },
    });
    expect((await stranger.sdk.photos.get(id)).location).toBeNull();
  });

  it('clears a location', async () => {
    const cleared = await owner.cli.run(['photos', 'edit', id, '--no-location', '--json']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.events[0]).toMatchObject({ id, location: null });
  });

  it.each([
    ['91,0', 'latitude must be from -90 to 90, got 91'],
    ['0,200', 'longitude must be from -180 to 180, got 200'],
    ['north,east', '--location must be LAT,LON in decimal degrees'],
    ['48.8', '--location must be LAT,LON in decimal degrees'],
  ])('refuses --location %s in one line with exit code 2', async (value, message) => {
    const refused = await owner.cli.run(['photos', 'edit', id, '--location', value]);
    expect(refused.code).toBe(2);
    // The problem on one line, then the house's pointer to --help.
    const [problem, hint] = refused.stderr.trimEnd().split('\n');
    expect(problem).toContain(message);
    expect(hint).toBe('(add --help for usage)');
  });

  it('shows and sets the account default', async () => {
    const { cli } = await signedInCli(server);
    expect((await cli.run(['location', 'default'])).stdout).toBe(
      'your photos’ locations are shown to you and the people you share your photos with (shared), unless a photo says otherwise; others get originals without GPS\n',
    );
    const set = await cli.run(['location', 'default', 'owner', '--json']);
    expect(set.events).toEqual([
      { commentsEnabledByDefault: true, locationVisibilityDefault: 'owner' },
    ]);
    expect((await cli.run(['location', 'default', 'friends'])).code).toBe(2);
    await cli.destroy();
  });
});
