// The examples a user copies: the quick start's photos go up and come back,
// and examples/ci/sync-archive.sh keeps an account in step with an archive.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN } from './cli/run-cli.ts';
import { type RealServer, startRealServer } from './real-server.ts';

const SCRIPT = fileURLToPath(new URL('../examples/ci/sync-archive.sh', import.meta.url));
const PHOTOS = fileURLToPath(new URL('../examples/photos', import.meta.url));

describe('examples/ci/sync-archive.sh', () => {
  let server: RealServer;
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    dir = await mkdtemp(join(tmpdir(), 'cli-example-'));
  });
  afterAll(async () => {
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('syncs the example photos into albums, then finds nothing to do', async () => {
    const owner = await server.client();
    const archive = join(dir, 'archive');
    await cp(PHOTOS, archive, { recursive: true });
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      FLICKR_SERVER: server.url,
      FLICKR_TOKEN: owner.options.token as string,
      FLICKR_CONFIG_DIR: join(dir, 'config'),
      FLICKR_CACHE_DIR: join(dir, 'cache'),
      FLICKR_CLI: `${process.execPath} --conditions=source ${CLI_MAIN}`,
    };
    const run = () => promisify(execFile)(SCRIPT, [archive, join(dir, 'report.ndjson')], { env });

    const first = await run();
    expect(first.stdout).toContain('would upload   ');
    expect(first.stdout).toMatch(
      /uploaded 4, moved 0, deleted 0, skipped 0, failed 0; \d+ bytes sent/,
    );
    const albums = (await owner.photos.list(owner.username).toArray())
      .map((p) => p.album?.name)
      .sort();
    expect(albums).toEqual(['landscapes', 'landscapes', 'portraits', 'portraits']);

    const second = await run();
    expect(second.stdout).toContain(
      'uploaded 0, moved 0, deleted 0, skipped 0, failed 0; 0 bytes sent',
    );
    const report = (await readFile(join(dir, 'report.ndjson'), 'utf8')).trim().split('\n');
    expect(JSON.parse(report.at(-1) as string)).toMatchObject({
      type: 'summary',
      command: 'sync push',
    });
  });
});
