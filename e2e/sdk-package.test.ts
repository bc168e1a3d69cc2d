import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** pnpm as it runs this suite (a fresh machine has it only through npx), or the one on PATH. */
const pnpm = (args: string[], cwd: string) =>
  process.env.npm_execpath?.includes('pnpm')
    ? run(process.execPath, [process.env.npm_execpath, ...args], { cwd })
    : run('pnpm', args, { cwd });
const root = fileURLToPath(new URL('..', import.meta.url));
const built =
  existsSync(join(root, 'packages/sdk/dist/index.cjs')) &&
  existsSync(join(root, 'packages/thumbnail-core/dist/index.cjs'));
if (!built && !process.env.CI) console.warn('Skipping the packed-SDK test: run `pnpm build` first');

/**
 * The SDK as users get it: packed, installed from the tarballs into an
 * empty project (dependencies from the npm registry), then loaded with
 * `import` and with `require`.
 */
describe.skipIf(!built && !process.env.CI)('the packed SDK', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sdk-pack-'));
    for (const pkg of ['thumbnail-core', 'sdk']) {
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
  afterAll(() => rm(dir, { recursive: true, force: true }));

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
});
