import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, eventually, type TestDatabase } from './harness.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the flickr-server binary', () => {
  let dataDir: string;
  let database: TestDatabase;
  let env: Record<string, string>;

  const spawnServer = (args: string[], extra: Record<string, string> = {}): ChildProcess =>
    spawn(process.execPath, ['--conditions=source', MAIN, ...args], {
      env: { ...process.env, ...env, FLICKR_LOG_LEVEL: 'warn', ...extra },
      stdio: ['pipe', 'pipe', 'pipe'],
    });

  const run = (args: string[], input?: string, extra: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawnServer(args, extra);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      child.stdin?.end(input ?? '');
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flickr-cli-'));
    database = await createTestDatabase();
    env = { FLICKR_DATA_DIR: dataDir, ...(database.url ? { DATABASE_URL: database.url } : {}) };
  });
  afterAll(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates the database and says so', async () => {
    const result = await run(['migrate']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/schema is up to date/);
  });

  it('creates an administrator from the shell, then an API token for it', async () => {
    const created = await run(
      ['user', 'create', 'root', '--admin', '--password-stdin'],
      'a long passphrase\n',
    );
    expect(created).toMatchObject({ code: 0, stdout: 'created administrator root\n' });
    const token = await run([
      'token',
      'create',
      'root',
      '--name',
      'ci',
      '--scopes',
      'read,write,admin',
    ]);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^fk_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
  });

  it('generates and prints a password when none is given', async () => {
    const created = await run(['user', 'create', 'guest']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created user guest with password \S{16}\n$/);
  });

  it('fails with one clear line and a non-zero exit on bad input', async () => {
    const unknownUser = await run(['token', 'create', 'nobody']);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toBe('flickr-server: User "nobody" not found\n');
    const badScope = await run(['token', 'create', 'root', '--scopes', 'read,everything']);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/unknown scopes: everything/);
    const badConfig = await run(['migrate'], undefined, {
      FLICKR_PORT: 'eighty',
      FLICKR_SAGA_MAX_ATTEMPTS: '0',
    });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/FLICKR_PORT/);
    expect(badConfig.stderr).toMatch(/FLICKR_SAGA_MAX_ATTEMPTS/);
  });

  it('takes every setting as a flag too, validated like the variable, with --help', async () => {
    const help = await run(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /--data-dir <value>\s+Folder for the SQLite database.*\(FLICKR_DATA_DIR\)/,
    );
    expect(help.stdout).toMatch(/--database-url <value>.*\(DATABASE_URL\)/);
    expect(help.stdout).toMatch(/--shutdown-grace-ms <value>/);

    // A flag wins over the environment, and is refused with its own name.
    const fixed = await run(['migrate', '--saga-max-attempts', '3'], undefined, {
      FLICKR_SAGA_MAX_ATTEMPTS: '0',
    });
    expect(fixed.code).toBe(0);
    const bad = await run(['migrate', '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port \(FLICKR_PORT\): /);

    // --data-dir is the data folder the command works on.
    const elsewhere = await mkdtemp(join(tmpdir(), 'flickr-cli-flag-'));
    try {
      const migrated = await run(['migrate', '--data-dir', elsewhere], undefined, {
        FLICKR_DATA_DIR: dataDir,
      });
      expect(migrated.code).toBe(0);
      if (!database.url) expect(migrated.stderr).toContain(join(elsewhere, 'flickr.db'));
      expect(await readdir(elsewhere)).toContain('signing-key');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('serves, shuts down gracefully on SIGTERM, and keeps its data across the restart', async () => {
    const start = async () => {
      const child = spawnServer(['all'], { FLICKR_PORT: '0' });
      let banner = '';
      child.stderr?.on('data', (chunk) => {
        banner += chunk;
      });
      const url = await eventually(
        async () => /API\s+(http:\/\/\S+)/.exec(banner)?.[1],
        20_000,
        'the startup banner',
      );
      return { child, url };
    };
    const login = (url: string) =>
      fetch(`${url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password: 'a long passphrase' }),
      });

    const first = await start();
    expect((await login(first.url)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const second = await start();
    try {
      expect((await login(second.url)).status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
    }
  });
});
