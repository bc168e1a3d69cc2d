// flickr-cli upload against a real server: a folder tree with duplicates,
// renames and corrupt files; reruns that send nothing; a kill -9 mid-file
// and a rerun that resumes; dry runs; bad input with its exit code.
import { createHash } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlickrClient } from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../packages/sdk/bench/counting-proxy.ts';
import { type CliUser, filesOf, signedInCli, summaryOf } from './cli/run-cli.ts';
import { noisePhoto } from './fixtures/noise-photo.ts';
import { eventually, photo, type RealServer, startRealServer } from './real-server.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** How many bytes the server holds of the CLI's one unfinished upload, once that stops changing. */
async function serverOffset(cli: CliUser, token: string): Promise<number> {
  const dir = join(cli.home, 'cache', 'uploads');
  const [state] = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  const { uploadUrl } = JSON.parse(await readFile(join(dir, state as string), 'utf8'));
  let last = -1;
  for (;;) {
    const response = await fetch(uploadUrl, {
      method: 'HEAD',
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${token}` },
    });
    const offset = Number(response.headers.get('upload-offset'));
    if (offset === last) return offset;
    last = offset;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Bytes of the CLI's upload in progress that the server has stored (its staged file's size). */
async function storedBytes(cli: CliUser, server: RealServer): Promise<number> {
  const dir = join(cli.home, 'cache', 'uploads');
  const [state] = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.json'));
  if (!state) return 0;
  const { uploadUrl } = JSON.parse(await readFile(join(dir, state), 'utf8'));
  const id = String(uploadUrl).split('/').at(-1) as string;
  return (await server.running.services.staging.size(id)) ?? 0;
}

/**
 * Waits until the server has stored part of the upload: the proxy holding
 * the rest back says the bytes left the client, not that the server, on a
 * busy machine, has written any of them yet. Interrupting the CLI before
 * that leaves nothing to resume from.
 */
async function untilStored(cli: CliUser, server: RealServer): Promise<void> {
  await eventually(
    async () => ((await storedBytes(cli, server)) > 0 ? true : undefined),
    'the server to store part of the upload',
  );
}

describe('flickr-cli upload', () => {
  let server: RealServer;
  let proxy: CountingProxy;
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    proxy = await startCountingProxy(Number(new URL(server.url).port));
    dir = await mkdtemp(join(tmpdir(), 'cli-upload-'));
  });
  afterAll(async () => {
    await proxy.close();
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const count = async (sdk: FlickrClient & { username: string }) =>
    (await sdk.photos.list(sdk.username).toArray()).length;

  it('uploads a tree once: duplicates are skipped, a corrupt file fails alone, reruns send nothing', async () => {
    const { cli, sdk } = await signedInCli(server, proxy.url);
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'a'), { recursive: true });
    await mkdir(join(tree, 'b', 'deeper'), { recursive: true });
    await writeFile(join(tree, 'a', '1.jpg'), await photo(1));
    await writeFile(join(tree, 'a', '2.jpg'), await photo(2));
    await writeFile(join(tree, 'b', '1.jpg'), await photo(3)); // same name, other content
    await writeFile(join(tree, 'b', 'deeper', 'copy-of-2.jpg'), await photo(2));
    await writeFile(join(tree, 'b', 'notes.txt'), 'not a photo, not taken');
    await writeFile(join(tree, 'broken.jpg'), 'this is text, not a JPEG');

    const first = await cli.run(['upload', '-r', tree, '--json']);
    expect(first.code).toBe(1);
    const items = filesOf(first);
    expect(
      items
        .filter((i) => i.status === 'uploaded')
        .map((i) => i.path?.split('/').slice(-2).join('/'))
        .sort(),
    ).toEqual(['a/1.jpg', 'a/2.jpg', 'b/1.jpg']);
    expect(items.find((i) => i.path?.endsWith('copy-of-2.jpg'))).toMatchObject({
      status: 'skipped',
      reason: 'duplicate-in-batch',
    });
    expect(items.find((i) => i.path?.endsWith('broken.jpg'))).toMatchObject({ status: 'failed' });
    expect(items.find((i) => i.path?.endsWith('broken.jpg'))?.error).toMatch(/image/i);
    expect(items.some((i) => i.path?.endsWith('notes.txt'))).toBe(false);
    expect(summaryOf(first).counts).toEqual({ uploaded: 3, skipped: 1, failed: 1 });
    expect(await count(sdk)).toBe(3);

    // Renamed and moved files are known by their content.
    await rename(join(tree, 'a', '1.jpg'), join(tree, 'a', 'renamed.jpg'));
    await rename(join(tree, 'b'), join(tree, 'c'));
    await rm(join(tree, 'broken.jpg'));
    proxy.reset();
    const again = await cli.run(['upload', '-r', tree, '--json']);
    expect(again.code).toBe(0);
    expect(summaryOf(again)).toMatchObject({ counts: { skipped: 4 }, bytesTransferred: 0 });
    // Measured on the wire: a few API calls, no image bytes (each photo is ~10 kB).
    expect(proxy.sent).toBeLessThan(8000);
    expect(await count(sdk)).toBe(3);

    // A person at a pipe reads plain lines, and the summary says nothing was sent.
    const plain = await cli.run(['upload', '-r', tree]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(String.fromCharCode(27));
    expect(plain.stdout).toMatch(/done: 4 skipped in .*; 0 bytes of image data sent/);
    // Nothing was missing, so no upload phase began.
    expect(plain.stdout).not.toMatch(/uploading/);
    await cli.destroy();
  });

  it('prints the exact plan with --dry-run and changes nothing', async () => {
    const { cli, sdk } = await signedInCli(server, proxy.url);
    const folder = join(dir, 'dry');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'x.jpg'), await photo(11));
    await writeFile(join(folder, 'y.jpg'), await photo(12));
    await writeFile(join(folder, 'y-again.jpg'), await photo(12));
    await sdk.uploads.uploadFile(join(folder, 'x.jpg'));

    const result = await cli.run(['upload', folder, '--dry-run', '--json', '--album', 'Trip']);
    expect(result.code).toBe(0);
    const plan = result.events.filter((e) => e.type === 'plan');
    expect(
      plan.map((p) => [String(p.path).split('/').at(-1), p.action, p.reason ?? p.album]),
    ).toEqual([
      ['x.jpg', 'skip', 'exists'],
      ['y-again.jpg', 'upload', 'Trip'],
      ['y.jpg', 'skip', 'duplicate-in-batch'],
    ]);
    expect(summaryOf(result)).toMatchObject({
      dryRun: true,
      planned: { upload: { count: 1 }, skip: { count: 2 } },
    });
    expect(await count(sdk)).toBe(1);
    expect(await sdk.albums.list(sdk.username)).toEqual([]);
    await cli.destroy();
  });

  it('resumes after kill -9 mid-file, sending only the rest, with no duplicate', async () => {
    const { cli, sdk } = await signedInCli(server, proxy.url);
    const folder = join(dir, 'big');
    await mkdir(folder, { recursive: true });
    const data = await noisePhoto(7);
    await writeFile(join(folder, 'big.jpg'), data);

    const held = proxy.holdAfter(data.length / 2);
    const running = cli.spawn(['upload', folder, '--json']);
    await held;
    await untilStored(cli, server);
    running.child.kill('SIGKILL');
    await running.done;
    // What the dead client had written into its socket goes nowhere, as over a real network:
    // resuming the held connection would deliver it, on loopback often the whole rest of the file.
    proxy.cut();
    proxy.release();
    const offset = await serverOffset(cli, sdk.options.token as string);
    expect(offset).toBeGreaterThan(0);

    proxy.reset();
    const rerun = await cli.run(['upload', folder, '--json']);
    expect(rerun.code).toBe(0);
    expect(summaryOf(rerun).counts).toEqual({ uploaded: 1 });
    // Measured on the wire: the rest of the file from the server's offset, and a few requests.
    expect(proxy.sent).toBeLessThan(data.length - offset + 64 * 1024);
    expect(await count(sdk)).toBe(1);
    await cli.destroy();
  });

  it('stops on Ctrl-C with exit 130 and a summary, and the next run resumes', async () => {
    const { cli, sdk } = await signedInCli(server, proxy.url);
    const folder = join(dir, 'interrupted');
    await mkdir(folder, { recursive: true });
    const data = await noisePhoto(8);
    await writeFile(join(folder, 'big.jpg'), data);

    const held = proxy.holdAfter(data.length / 3);
    const running = cli.spawn(['upload', folder, '--json']);
    await held;
    await untilStored(cli, server);
    running.child.kill('SIGINT');
    proxy.release();
    const stopped = await running.done;
    expect(stopped.code).toBe(130);
    expect(summaryOf(stopped)).toMatchObject({ interrupted: true, counts: {} });
    const offset = await serverOffset(cli, sdk.options.token as string);
    expect(offset).toBeGreaterThan(0);

    proxy.reset();
    const rerun = await cli.run(['upload', folder, '--json']);
    expect(summaryOf(rerun).counts).toEqual({ uploaded: 1 });
    expect(proxy.sent).toBeLessThan(data.length - offset + 64 * 1024);
    expect(await count(sdk)).toBe(1);
    await cli.destroy();
  });

  it.skipIf(process.platform !== 'linux')(
    'reports a file it cannot read as failed and uploads the rest',
    async () => {
      const { cli, sdk } = await signedInCli(server, proxy.url);
      const folder = join(dir, 'unreadable');
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'good.jpg'), await photo(71));
      // Reading /proc/self/mem from offset 0 fails with EIO for everyone, root included
      // (a chmod 000 file would not stop root).
      await symlink('/proc/self/mem', join(folder, 'unreadable.jpg'));
      const result = await cli.run(['upload', folder, '--json']);
      expect(result.code).toBe(1);
      expect(filesOf(result)).toEqual([
        expect.objectContaining({
          status: 'failed',
          path: expect.stringContaining('unreadable.jpg'),
        }),
        expect.objectContaining({ status: 'uploaded', path: expect.stringContaining('good.jpg') }),
      ]);
      expect(filesOf(result)[0]?.error).toMatch(/cannot read|EIO/);
      expect(await count(sdk)).toBe(1);
      await cli.destroy();
    },
  );

  it('watches a folder and uploads a new file once it has stopped growing', async () => {
    const { cli, sdk } = await signedInCli(server, proxy.url);
    const folder = join(dir, 'watched');
    await mkdir(join(folder, 'sub'), { recursive: true });
    const watching = cli.spawn(['upload', '-r', '--watch', folder, '--json']);
    await watching.waitForLine((line) => line.includes('"phase":"watching"'));

    // Written in two halves, a second apart: the half-written file must not be taken.
    const data = await photo(81, 1600, 1200);
    const target = join(folder, 'sub', 'new.jpg');
    await writeFile(target, data.subarray(0, data.length / 2));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await writeFile(target, data);
    const line = await watching.waitForLine((l) => l.includes('"status":"uploaded"'));
    expect(JSON.parse(line)).toMatchObject({ path: expect.stringContaining('new.jpg') });

    watching.child.kill('SIGINT');
    const result = await watching.done;
    expect(result.code).toBe(0);
    expect(summaryOf(result).counts).toEqual({ uploaded: 1 });
    const photos = await sdk.photos.list(sdk.username).toArray();
    expect(photos.map((p) => p.sha256)).toEqual([createHash('sha256').update(data).digest('hex')]);
    await cli.destroy();
  });

  it('refuses bad input with one line and the documented exit code', async () => {
    const { cli } = await signedInCli(server, proxy.url);
    const missing = await cli.run(['upload', join(dir, 'no-such-folder')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^flickr-cli: no such file or folder: /),
    ]);

    const badFlag = await cli.run(['upload', dir, '--concurrency', '0']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--concurrency must be a whole number from 1/);

    const wrongToken = await cli.run(['upload', dir], { env: { FLICKR_TOKEN: 'not-a-token' } });
    expect(wrongToken.code).toBe(3);
    expect(wrongToken.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrongToken.stderr).toMatch(/refused the token/);

    const closed = `http://127.0.0.1:${await closedPort()}`;
    const down = await cli.run(['whoami'], { env: { FLICKR_SERVER: closed } });
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(new RegExp(`^flickr-cli: cannot reach ${closed}: .*ECONNREFUSED`));

    const nobody = await cli.run(['whoami'], { env: { FLICKR_TOKEN: '' } });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/not signed in/);
    await cli.destroy();
  });
});
