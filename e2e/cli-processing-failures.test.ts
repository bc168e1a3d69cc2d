// flickr-cli upload against a real server, with a photo the server cannot
// process (a PNG whose header reads but whose pixels fail their CRC): the run
// reports it, with --wait and without, exits 5, and `photos ls --status
// failed` lists exactly it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlickrClient, Photo } from '@flickr-kit/sdk';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../packages/sdk/bench/counting-proxy.ts';
import { type CliResult, type CliUser, filesOf, signedInCli, summaryOf } from './cli/run-cli.ts';
import { damagedMiddle } from './fixtures/damaged-jpeg.ts';
import { noisePhoto } from './fixtures/noise-photo.ts';
import { eventually, photo, type RealServer, startRealServer } from './real-server.ts';

const EXIT_UNPROCESSED = 5;

/** A PNG whose header reads (the server accepts it) and whose pixels do not decode. */
async function damagedPng(seed: number): Promise<Buffer> {
  return damagedMiddle(
    await sharp(await photo(seed))
      .png()
      .toBuffer(),
  );
}

describe('flickr-cli upload: photos the server cannot process', () => {
  let server: RealServer;
  let proxy: CountingProxy;
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    proxy = await startCountingProxy(Number(new URL(server.url).port));
    dir = await mkdtemp(join(tmpdir(), 'cli-processing-'));
  });
  afterAll(async () => {
    await proxy.close();
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const failedPhotos = (sdk: FlickrClient & { username: string }) =>
    sdk.photos.list(sdk.username, { status: 'failed' }).toArray();

  /** What a run reported of the damaged file, checked the same way for both modes. */
  function expectReported(result: CliResult, name: string): { photoId: string; error: string } {
    expect(result.code, result.stderr).toBe(EXIT_UNPROCESSED);
    const failed = filesOf(result).filter((item) => item.status === 'failed');
    expect(failed).toEqual([
      {
        type: 'file',
        path: expect.stringMatching(new RegExp(`${name}$`)),
        photoId: expect.any(String),
        status: 'failed',
        reason: 'processing',
        error: expect.stringMatching(/\S/),
      },
    ]);
    const item = failed[0] as { photoId: string; error: string };
    expect(summaryOf(result).failures).toEqual([
      {
        path: expect.stringMatching(new RegExp(`${name}$`)),
        photoId: item.photoId,
        reason: 'processing',
        error: item.error,
      },
    ]);
    return item;
  }

  /** `photos ls --status failed` lists exactly this photo, with the reason the run gave. */
  async function expectListed(cli: CliUser, reported: { photoId: string; error: string }) {
    const listed = await cli.run(['photos', 'ls', '--status', 'failed', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.events.map((p) => [p.id, p.status, p.statusReason])).toEqual([
      [reported.photoId, 'failed', reported.error],
    ]);
    const table = await cli.run(['photos', 'ls', '--status', 'failed']);
    expect(table.stdout).toContain(reported.photoId);
    expect(table.stdout).toMatch(/REASON/);
  }

  it('--wait reports the photo the server could not process with its reason, and exits 5', async () => {
    const folder = join(dir, 'wait');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'good.jpg'), await photo(501));
    await writeFile(join(folder, 'damaged.png'), await damagedPng(502));

    const { cli, sdk } = await signedInCli(server);
    const result = await cli.run(['upload', folder, '--wait', '--json']);
    const reported = expectReported(result, 'damaged.png');
    expect(summaryOf(result).counts).toEqual({ uploaded: 2, ready: 1, failed: 1 });
    expect(filesOf(result).find((item) => item.status === 'ready')?.path).toMatch(/good\.jpg$/);
    expect((await failedPhotos(sdk)).map((p: Photo) => p.id)).toEqual([reported.photoId]);
    await expectListed(cli, reported);
    await cli.destroy();

    // A person at a pipe reads the same: which file, why, and what to run to see them again.
    const person = await signedInCli(server);
    const plain = await person.cli.run(['upload', folder, '--wait']);
    expect(plain.code).toBe(EXIT_UNPROCESSED);
    expect(plain.stdout).toMatch(
      /^failed {5}\S*damaged\.png: the server could not process it: \S.*$/m,
    );
    expect(plain.stdout).toMatch(
      /^done: 2 uploaded, 1 ready, 1 failed in .*; the server could not process 1 photo \(flickr-cli photos ls --status failed\)$/m,
    );
    await person.cli.destroy();
  });

  it('without --wait reports a photo whose processing failed before the run ended, and exits 5', async () => {
    const { cli, sdk } = await signedInCli(server, proxy.url);
    const folder = join(dir, 'no-wait');
    await mkdir(folder, { recursive: true });
    // Sent one at a time in path order: the damaged file first, then one big enough to hold.
    const damaged = await damagedPng(503);
    const good = await noisePhoto(504, 1200, 900);
    await writeFile(join(folder, 'a-damaged.png'), damaged);
    await writeFile(join(folder, 'b-good.jpg'), good);
    expect(good.length).toBeGreaterThan(damaged.length + 400_000);

    // The run is held inside the good file until the server has failed the damaged one: its
    // processing failed before the run ended, however fast or slow this machine is.
    proxy.reset();
    const held = proxy.holdAfter(damaged.length + 200_000);
    const running = cli.spawn(['upload', folder, '--concurrency', '1', '--json']);
    await held;
    const [failed] = await eventually(async () => {
      const photos = await failedPhotos(sdk);
      return photos.length ? photos : undefined;
    }, 'the damaged photo to fail');
    proxy.release();
    const result = await running.done;

    const reported = expectReported(result, 'a-damaged.png');
    expect(reported.photoId).toBe(failed?.id);
    expect(reported.error).toBe(failed?.statusReason);
    expect(summaryOf(result).counts).toEqual({ uploaded: 2, failed: 1 });
    await expectListed(cli, reported);
    await cli.destroy();
  });
});
