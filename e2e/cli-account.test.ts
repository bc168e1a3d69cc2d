// flickr-cli accounts: register and login with a password from stdin,
// profiles saved only-owner-readable, environment overrides for CI,
// API tokens created, used and revoked, logout; tokens never printed.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUser } from './cli/run-cli.ts';
import { type RealServer, startRealServer } from './real-server.ts';

describe('flickr-cli accounts and profiles', () => {
  let server: RealServer;

  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('registers, saves a private profile, creates an API token for CI, and logs out', async () => {
    const cli = await cliUser();
    const name = `cli${Date.now().toString(36)}`;
    const registered = await cli.run(
      ['register', '--server', server.url, '-u', name, '--password-stdin'],
      {
        stdin: 'a long passphrase\n',
      },
    );
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain(`as ${name}`);
    const profileFile = join(cli.home, 'config', 'profiles.json');
    expect((await stat(profileFile)).mode & 0o777).toBe(0o600);

    const whoami = await cli.run(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    const me = whoami.events[0] as { user: { username: string }; token: { kind: string } };
    expect(me.user.username).toBe(name);
    expect(me.token.kind).toBe('session');

    const created = await cli.run([
      'tokens',
      'create',
      'ci job',
      '--scopes',
      'read,write',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { token, info } = created.events[0] as {
      token: string;
      info: { id: string; scopes: string[] };
    };
    expect(info.scopes).toEqual(['read', 'write']);

    // A CI job: no config file at all, only the environment.
    const ci = await cliUser({ FLICKR_SERVER: server.url, FLICKR_TOKEN: token });
    const asCi = await ci.run(['whoami']);
    expect(asCi.code).toBe(0);
    expect(asCi.stdout).toContain('api token "ci job" with read, write');
    expect(asCi.stdout + asCi.stderr).not.toContain(token);
    const listed = await cli.run(['tokens', 'ls']);
    expect(listed.stdout).toContain('ci job');
    expect(listed.stdout).not.toContain(token);

    expect((await cli.run(['tokens', 'revoke', info.id])).code).toBe(0);
    const revoked = await ci.run(['whoami']);
    expect(revoked.code).toBe(3);

    const out = await cli.run(['logout']);
    expect(out.code).toBe(0);
    expect((await cli.run(['whoami'])).code).toBe(3);
    const login = await cli.run(['login', '-u', name, '--password-stdin'], {
      stdin: 'a long passphrase',
    });
    expect(login.code).toBe(0);
    expect((await cli.run(['whoami'])).code).toBe(0);
    const wrong = await cli.run(['login', '-u', name, '--password-stdin'], {
      stdin: 'not the password',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^flickr-cli: .*(password|credentials)/i),
    ]);
    await ci.destroy();
    await cli.destroy();
  });

  it('keeps several profiles and switches between them', async () => {
    const cli = await cliUser();
    const a = await server.client();
    const b = await server.client();
    expect(
      (
        await cli.run([
          '--profile',
          'a',
          'login',
          '-s',
          server.url,
          '--token',
          a.options.token as string,
        ])
      ).code,
    ).toBe(0);
    expect(
      (
        await cli.run([
          '--profile',
          'b',
          'login',
          '-s',
          server.url,
          '--token',
          b.options.token as string,
        ])
      ).code,
    ).toBe(0);
    expect((await cli.run(['whoami', '--json'])).events[0]).toMatchObject({
      user: { username: a.username },
    });
    expect((await cli.run(['profiles', 'use', 'b'])).code).toBe(0);
    expect((await cli.run(['whoami', '--json'])).events[0]).toMatchObject({
      user: { username: b.username },
    });
    const viaEnv = await cli.run(['whoami', '--json'], { env: { FLICKR_PROFILE: 'a' } });
    expect(viaEnv.events[0]).toMatchObject({ user: { username: a.username } });
    const listed = await cli.run(['profiles']);
    expect(listed.stdout).toMatch(/^ {2}a {2}/m);
    expect(listed.stdout).toMatch(/^\* b {2}/m);
    expect((await cli.run(['profiles', 'use', 'nope'])).code).toBe(2);
    await cli.destroy();
  });

  it('shows help with examples for every command', async () => {
    const cli = await cliUser();
    for (const command of [
      ['upload'],
      ['download'],
      ['sync', 'push'],
      ['sync', 'pull'],
      ['share', 'grant'],
      ['tokens', 'create'],
    ]) {
      const help = await cli.run([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toContain(`$ flickr-cli ${command.join(' ')}`);
    }
    const unknown = await cli.run(['uplaod']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'uplaod'/);
    await cli.destroy();
  });
});
