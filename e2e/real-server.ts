// A real flickr-kit server for integration tests: role `all` on port 0, on a
// temporary data folder with SQLite, destroyed afterwards.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlickrClient, MemoryUploadStateStore } from '@flickr-kit/sdk';
import { loadConfig, type RunningServer, startRole } from '@flickr-kit/server';
import pino from 'pino';
import sharp from 'sharp';

export { eventually } from './eventually.ts';

export interface RealServer {
  url: string;
  dataDir: string;
  running: RunningServer;
  /** Registers a user and returns a client signed in as them. */
  client(): Promise<FlickrClient & { username: string }>;
  restart(): Promise<RealServer>;
  destroy(): Promise<void>;
}

export async function startRealServer(
  env: Record<string, string> = {},
  dataDir?: string,
  port = '0',
): Promise<RealServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'flickr-sdk-')));
  const config = loadConfig({
    FLICKR_DATA_DIR: dir,
    FLICKR_PORT: port,
    FLICKR_WORKER_POLL_MS: '50',
    FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    ...env,
  });
  const running = await startRole('all', config, pino({ level: 'silent' }));
  const url = running.url as string;
  return {
    url,
    dataDir: dir,
    running,
    async client() {
      const anonymous = new FlickrClient({
        baseUrl: url,
        uploadStateStore: new MemoryUploadStateStore(),
      });
      const username = `u${randomUUID().slice(0, 8)}`;
      const session = await anonymous.auth.register(username, 'a long passphrase');
      await anonymous.close();
      return Object.assign(
        new FlickrClient({
          baseUrl: url,
          token: session.token,
          uploadStateStore: new MemoryUploadStateStore(),
        }),
        { username },
      );
    },
    async restart() {
      await running.stop();
      return startRealServer(env, dir, new URL(url).port);
    },
    async destroy() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small JPEG with content unique to `seed`. */
export function photo(seed: number, width = 320, height = 240): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++)
    pixels[i] = (i * 7 + seed * 131 + ((i / (width * 3)) | 0) * seed) & 0xff;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}
