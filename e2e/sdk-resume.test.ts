// Resume with the SDK's default settings (no small chunks to make it easy):
// a file above the resumable threshold, interrupted at a known point by a
// proxy that holds the client's bytes, then the client process or the
// server process is SIGKILLed. What the second attempt sends is counted on
// the wire, by the proxy.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AbortError,
  DEFAULT_RESUMABLE_THRESHOLD,
  FileUploadStateStore,
  FlickrClient,
  type UploadFileResult,
} from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchServer, startServerProcess } from '../packages/sdk/bench/bench-server.ts';
import { type CountingProxy, startCountingProxy } from '../packages/sdk/bench/counting-proxy.ts';
import { noisePhoto } from './fixtures/noise-photo.ts';
import { waitForStagedBytes } from './fixtures/staged-upload.ts';
import { type RealServer, startRealServer } from './real-server.ts';

const CHILD = fileURLToPath(new URL('./fixtures/upload-in-child.ts', import.meta.url));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('resumable uploads through the SDK', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sdk-resume-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('against an in-process server', () => {
    let server: RealServer;
    let proxy: CountingProxy;

    beforeAll(async () => {
      server = await startRealServer();
      proxy = await startCountingProxy(Number(new URL(server.url).port));
    });
    afterAll(async () => {
      await proxy.close();
      await server.destroy();
    });

    it('resumes byte-exact after the client process is SIGKILLed mid-file', async () => {
      const owner = await server.client();
      const file = join(dir, 'big-1.jpg');
      const data = await noisePhoto(1);
      expect(data.length).toBeGreaterThan(DEFAULT_RESUMABLE_THRESHOLD);
      await writeFile(file, data);
      const stateDir = join(dir, 'state-1');

      const held = proxy.holdAfter(data.length / 2);
      const child = spawn(
        process.execPath,
        ['--conditions=source', CHILD, proxy.url, owner.options.token as string, file, stateDir],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await held;
      const staged = await waitForStagedBytes(server.dataDir, stateDir, data.length / 3);
      child.kill('SIGKILL');
      await exited;
      // The upload URL was stored before the PATCH's first byte left.
      expect(await readdir(stateDir)).toHaveLength(1);

      // Bytes the killed process left in socket buffers never arrive: the network is cut where it was held.
      proxy.cut();
      proxy.reset();
      proxy.release();
      const resumed = new FlickrClient({
        baseUrl: proxy.url,
        token: owner.options.token,
        uploadStateStore: new FileUploadStateStore(stateDir),
      });
      let firstReported: number | undefined;
      const result = await resumed.uploads.uploadFile(
        file,
        {},
        {
          onProgress: (sent) => {
            firstReported ??= sent;
          },
        },
      );
      expect(result.status).toBe('uploaded');
      expect(result.photo.sha256).toBe(sha256(data));
      // The new process started where the killed one's bytes ended, and sent only the rest.
      expect(firstReported).toBe(staged);
      expect(proxy.sent).toBeLessThan(data.length - staged + 64 * 1024);
      expect(await readdir(stateDir)).toEqual([]);
      await resumed.close();
      await owner.close();
    });

    it('an aborted upload rejects with AbortError and resumes from the server offset', async () => {
      const owner = await server.client();
      const file = join(dir, 'big-3.jpg');
      const data = await noisePhoto(3);
      await writeFile(file, data);
      const stateDir = join(dir, 'state-3');
      const store = new FileUploadStateStore(stateDir);
      const client = new FlickrClient({
        baseUrl: proxy.url,
        token: owner.options.token,
        uploadStateStore: store,
      });
      proxy.reset();
      const held = proxy.holdAfter(data.length / 2);
      const controller = new AbortController();
      const interrupted = client.uploads
        .uploadFile(file, {}, { signal: controller.signal })
        .catch((error: unknown) => error);
      await held;
      const staged = await waitForStagedBytes(server.dataDir, stateDir, data.length / 3);
      controller.abort();
      expect(await interrupted).toBeInstanceOf(AbortError);

      proxy.cut();
      proxy.release();
      proxy.reset();
      let firstReported: number | undefined;
      const result = await client.uploads.uploadFile(
        file,
        {},
        {
          onProgress: (sent) => {
            firstReported ??= sent;
          },
        },
      );
      expect(result.status).toBe('uploaded');
      expect(firstReported).toBe(staged);
      expect(proxy.sent).toBeLessThan(data.length - staged + 64 * 1024);
      await client.close();
      await owner.close();
    });
  });

  describe('against a server process', () => {
    let server: BenchServer;
    let proxy: CountingProxy;

    beforeAll(async () => {
      server = await startServerProcess({ dataDir: await mkdtemp(join(tmpdir(), 'sdk-server-')) });
      proxy = await startCountingProxy(server.port);
    });
    afterAll(async () => {
      await proxy.close();
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
    });

    it('resumes from the server offset after the server is SIGKILLed mid-PATCH and restarted', async () => {
      const anonymous = new FlickrClient({ baseUrl: proxy.url });
      const { token } = await anonymous.auth.register('resumer', 'a long passphrase');
      await anonymous.close();
      const file = join(dir, 'big-2.jpg');
      const data = await noisePhoto(2);
      await writeFile(file, data);
      const stateDir = join(dir, 'state-2');
      const client = new FlickrClient({
        baseUrl: proxy.url,
        token,
        uploadStateStore: new FileUploadStateStore(stateDir),
      });

      let restarted = false;
      let firstAfterRestart: number | undefined;
      const onProgress = (sent: number) => {
        if (restarted) firstAfterRestart ??= sent;
      };
      const held = proxy.holdAfter(data.length / 2);
      const first = client.uploads
        .uploadFile(file, {}, { onProgress })
        .catch((error: unknown) => error);
      await held;
      const staged = await waitForStagedBytes(server.dataDir, stateDir, data.length / 3);
      await server.kill('SIGKILL');
      proxy.cut();
      proxy.reset();
      proxy.release();
      server = await server.restart();
      restarted = true;

      // tus retries while the server is down; if it gave up first, running it again resumes the same.
      const outcome = await first;
      const result = (
        outcome instanceof Error
          ? await client.uploads.uploadFile(file, {}, { onProgress })
          : outcome
      ) as UploadFileResult;
      expect(result.status).toBe('uploaded');
      expect(result.photo.sha256).toBe(sha256(data));
      // It resumed from the server's offset: after the restart only the rest crossed the wire.
      expect(firstAfterRestart).toBe(staged);
      expect(proxy.sent).toBeGreaterThan(data.length - staged);
      expect(proxy.sent).toBeLessThan(data.length - staged + 64 * 1024);
      expect(await readdir(stateDir)).toEqual([]);
      await client.close();
    });
  });
});
