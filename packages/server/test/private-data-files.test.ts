import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callApi } from './api-calls.ts';
import { startBinary } from './binary-process.ts';
import { eventually, registerUser, TEST_DATABASE } from './harness.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

describe.runIf(TEST_DATABASE === 'sqlite')('the data folder of the flickr-server binary', () => {
  it('is readable by the server account only: every folder 0700, every file 0600', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'flickr-modes-'));
    const dataDir = join(parent, 'data');
    // Started with the test runner's umask (022 on most machines): the binary sets its own.
    const server = await startBinary(['all'], {
      FLICKR_DATA_DIR: dataDir,
      FLICKR_WORKER_POLL_MS: '50',
    });
    try {
      const user = await registerUser(server.url as string);
      const { photo } = await uploadPhoto(server.url as string, await testPhoto(1900), {
        token: user.token,
      });
      await eventually(async () => {
        const { body } = await callApi(server.url as string, user, 'GET', `/v1/photos/${photo.id}`);
        return body.status === 'ready' ? true : undefined;
      }, 30_000);
      const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
      const modes = await Promise.all(
        entries.map(async (entry) => {
          const path = join(entry.parentPath, entry.name);
          return { path: path.slice(dataDir.length), mode: (await stat(path)).mode & 0o777 };
        }),
      );
      // The database, the key, originals, renditions and the CDN tier's copies at least.
      expect(modes.length).toBeGreaterThan(8);
      expect(modes.filter(({ mode }) => mode & 0o077)).toEqual([]);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    } finally {
      await server.terminate();
      await rm(parent, { recursive: true, force: true });
    }
  });
});
