import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photo, type RealServer, startRealServer } from './real-server.ts';

const run = promisify(execFile);

/** pnpm as it runs this suite (a fresh machine has it only through npx), or the one on PATH. */
const pnpm = (args: string[], cwd: string) =>
  process.env.npm_execpath?.includes('pnpm')
    ? run(process.execPath, [process.env.npm_execpath, ...args], { cwd })
    : run('pnpm', args, { cwd });
const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['thumbnail-core', 'sdk', 'cli'];
const built = PACKAGES.every((pkg) => existsSync(join(root, `packages/${pkg}/dist/index.cjs`)));
if (!built && !process.env.CI)
  console.warn('Skipping the packed-package test: run `pnpm build` first');

/**
 * The SDK and flickr-cli as users get them: packed, installed from the
 * tarballs into an empty project (dependencies from the npm registry), then
 * loaded with `import` and with `require`, and used against a real server:
 * a CommonJS build that loads but cannot upload is not a CommonJS build.
 */
describe.skipIf(!built && !process.env.CI)('the packed SDK and CLI', () => {
  let dir: string;
  let server: RealServer;
  let token: string;

  beforeAll(async () => {
    server = await startRealServer();
    token = (await server.client()).options.token as string;
    dir = await mkdtemp(join(tmpdir(), 'sdk-pack-'));
    await writeFile(join(dir, 'photo.jpg'), await photo(99));
    for (const pkg of PACKAGES) {
      await pnpm(['pack', '--pack-destination', dir], join(root, 'packages', pkg));
    }
    const tarballs = (await readdir(dir))
      .filter((name) => name.endsWith('.tgz'))
      .map((name) => join(dir, name));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
      cwd: dir,
      timeout: 170_000,
    });
  }, 180_000);
  afterAll(async () => {
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const probe = `
    const names = ['FlickrClient', 'NotFoundError', 'FileUploadStateStore'].map((n) => typeof sdk[n]);
    const client = new sdk.FlickrClient({ baseUrl: 'http://127.0.0.1:9' });
    console.log(JSON.stringify({ names, resources: Object.keys(client).sort(), ops: Object.keys(contract.operations).length }));
    client.close();`;

  it('installs into an empty project and loads with import', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const sdk = await import('@flickr-kit/sdk'); const contract = await import('@flickr-kit/sdk/contract'); ${probe}`,
      ],
      { cwd: dir },
    );
    const result = JSON.parse(stdout) as { names: string[]; resources: string[]; ops: number };
    expect(result.names).toEqual(['function', 'function', 'function']);
    expect(result.resources).toEqual(
      expect.arrayContaining(['albums', 'auth', 'limits', 'photos', 'shares', 'tokens', 'uploads']),
    );
    expect(result.ops).toBeGreaterThan(10);
  });

  it('loads with require', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=commonjs',
        '-e',
        `const sdk = require('@flickr-kit/sdk'); const contract = require('@flickr-kit/sdk/contract'); ${probe}`,
      ],
      { cwd: dir },
    );
    expect(JSON.parse(stdout)).toMatchObject({ names: ['function', 'function', 'function'] });
  });

  // Queues (p-queue, ESM only) and the lazily loaded renderer (sharp) run here, in each module system.
  const roundTrip = `
    const client = new sdk.FlickrClient({ baseUrl: process.env.URL, token: process.env.TOKEN, uploadStateStore: new sdk.MemoryUploadStateStore() });
    const [entry] = await client.uploads.uploadMany(['photo.jpg'], { clientThumbnails: true });
    const [ready] = await client.photos.waitUntilReadyMany([entry.photoId]);
    const me = (await client.auth.whoami()).user.username;
    const downloads = await client.photos.downloadMany(me, { dir: 'out-' + process.env.KIND });
    console.log(JSON.stringify({ upload: entry.status, ready: ready.status, downloads: downloads.map((d) => d.status) }));
    await client.close();`;

  it.each(['module', 'commonjs'])('uploads and downloads through the %s build', async (kind) => {
    const code =
      kind === 'module'
        ? `const sdk = await import('@flickr-kit/sdk'); ${roundTrip}`
        : `(async () => { const sdk = require('@flickr-kit/sdk'); ${roundTrip} })().catch((e) => { console.error(e); process.exit(1); });`;
    const { stdout } = await run(process.execPath, [`--input-type=${kind}`, '-e', code], {
      cwd: dir,
      env: { ...process.env, URL: server.url, TOKEN: token, KIND: kind },
    });
    const result = JSON.parse(stdout) as { upload: string; ready: string; downloads: string[] };
    expect(result.upload).toMatch(/^(uploaded|skipped)$/);
    expect(result).toMatchObject({ ready: 'ready', downloads: ['downloaded'] });
  });

  it('installs flickr-cli, whose binary signs in from the environment and uploads', async () => {
    const env = {
      ...process.env,
      FLICKR_SERVER: server.url,
      FLICKR_TOKEN: token,
      FLICKR_CONFIG_DIR: join(dir, 'cli-config'),
      FLICKR_CACHE_DIR: join(dir, 'cli-cache'),
    };
    const bin = join(dir, 'node_modules', '.bin', 'flickr-cli');
    const version = await run(bin, ['--version'], { cwd: dir, env });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const upload = await run(bin, ['upload', 'photo.jpg', '--json'], { cwd: dir, env });
    const summary = JSON.parse(upload.stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ type: 'summary', counts: { skipped: 1 } });
  });
});
