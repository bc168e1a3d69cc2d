// The SDK's example scripts, run as a user runs them, against a real server.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FlickrClient } from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photo, type RealServer, startRealServer } from './real-server.ts';

const EXAMPLES = fileURLToPath(new URL('../examples/sdk/', import.meta.url));

describe('examples/sdk', () => {
  let server: RealServer;
  let client: FlickrClient & { username: string };
  let dir: string;
  let run: (script: string, ...args: string[]) => Promise<string>;

  beforeAll(async () => {
    server = await startRealServer();
    client = await server.client();
    dir = await mkdtemp(join(tmpdir(), 'sdk-examples-'));
    await mkdir(join(dir, 'photos'));
    for (const seed of [401, 402, 403])
      await writeFile(join(dir, 'photos', `IMG_${seed}.jpg`), await photo(seed));
    const env = {
      ...process.env,
      FLICKR_URL: server.url,
      FLICKR_TOKEN: client.options.token as string,
      // The default upload state store lives under the cache folder: keep it out of the real one.
      XDG_CACHE_HOME: join(dir, 'cache'),
    };
    run = async (script, ...args) =>
      (
        await promisify(execFile)(
          process.execPath,
          ['--conditions=source', join(EXAMPLES, script), ...args],
          { env, cwd: dir },
        )
      ).stdout;
  });
  afterAll(async () => {
    await client.close();
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('upload-folder uploads a folder, and a second run skips it all', async () => {
    const first = await run('upload-folder.ts', 'photos');
    expect(first.match(/^uploaded/gm)).toHaveLength(3);
    const second = await run('upload-folder.ts', 'photos');
    expect(second.match(/^skipped {2}\S+ exists$/gm)).toHaveLength(3);
  });

  it('resume uploads one file', async () => {
    await writeFile(join(dir, 'one.jpg'), await photo(404));
    expect(await run('resume.ts', 'one.jpg')).toMatch(/uploaded: photo [0-9a-f-]{36}/);
  });

  it('paging pages forward and backward', async () => {
    const out = await run('paging.ts', client.username, '3');
    expect(out.split('and backward:')).toEqual([
      expect.stringMatching(/^page of 3: .*\npage of 1: /),
      expect.stringMatching(/^\npage of 3: /),
    ]);
  });

  it('share grants, lists and revokes', async () => {
    const viewer = await server.client();
    expect(await run('share.ts', viewer.username)).toMatch(`${viewer.username} sees your photos`);
    expect(await run('share.ts', viewer.username, '--revoke')).toBe('');
    await viewer.close();
  });

  it('bulk-download downloads everything once', async () => {
    expect(await run('bulk-download.ts', client.username, 'archive')).toMatch(
      /^4 downloaded, 0 already there, 0 failed$/m,
    );
    expect((await readdir(join(dir, 'archive'))).filter((n) => n.endsWith('.jpg'))).toHaveLength(4);
    expect(await run('bulk-download.ts', client.username, 'archive')).toMatch(
      /^0 downloaded, 4 already there/m,
    );
  });

  it('abort reports what finished within the budget', async () => {
    await writeFile(join(dir, 'late.jpg'), await photo(405));
    const out = await run('abort.ts', '60000', 'late.jpg', join('photos', 'IMG_401.jpg'));
    expect(out).toMatch(/^uploaded late\.jpg$/m);
    expect(out).toMatch(/^skipped +photos\/IMG_401\.jpg$/m);
  });
});
