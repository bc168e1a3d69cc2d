import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileUploadStateStore, FlickrClient } from '@flickr-kit/sdk';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealServer, startRealServer } from './real-server.ts';

const CHILD = fileURLToPath(new URL('./fixtures/upload-in-child.ts', import.meta.url));

/** A JPEG of noise, several megabytes: big enough to interrupt halfway. */
async function bigPhoto(seed: number): Promise<Buffer> {
  const width = 1600;
  const height = 1200;
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    pixels[i] = state >>> 24;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

describe('resumable uploads through the SDK', () => {
  let server: RealServer;
  let dir: string;

  beforeAll(async () => {
    server = await startRealServer();
    dir = await mkdtemp(join(tmpdir(), 'sdk-resume-'));
  });
  afterAll(async () => {
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes from the last byte the server holds after the client process is killed', async () => {
    const client = await server.client();
    const file = join(dir, 'big-1.jpg');
    const data = await bigPhoto(1);
    await writeFile(file, data);
    const stateDir = join(dir, 'state');

    const child = spawn(
      process.execPath,
      ['--conditions=source', CHILD, server.url, client.options.token as string, file, stateDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let lastSent = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.trim().split('\n')) {
          const event = JSON.parse(line) as { sent?: number; total?: number };
          lastSent = event.sent ?? lastSent;
          if (event.sent && event.total && event.sent > event.total / 3) child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    expect(lastSent).toBeGreaterThan(0);
    expect(lastSent).toBeLessThan(data.length);
    expect(await readdir(stateDir)).toHaveLength(1);

    let firstReported: number | undefined;
    const resumed = new FlickrClient({
      baseUrl: server.url,
      token: client.options.token,
      uploadStateStore: new FileUploadStateStore(stateDir),
    });
    const result = await resumed.uploads.uploadFile(
      file,
      {},
      {
        chunkSize: 256 * 1024,
        onProgress: (sent) => {
          firstReported ??= sent;
        },
      },
    );
    expect(result.status).toBe('uploaded');
    // The new process started where the killed one's bytes ended, not at zero.
    expect(firstReported).toBeGreaterThan(data.length / 4);
    expect(await readdir(stateDir)).toEqual([]);
    await resumed.close();
    await client.close();
  });

  it('resumes after the server restarts mid-file', async () => {
    const client = await server.client();
    const file = join(dir, 'big-2.jpg');
    const data = await bigPhoto(2);
    await writeFile(file, data);
    const controller = new AbortController();
    const interrupted = await client.uploads
      .uploadFile(
        file,
        {},
        {
          chunkSize: 256 * 1024,
          signal: controller.signal,
          onProgress: (sent, total) => {
            if (sent > total / 3) controller.abort();
          },
        },
      )
      .catch((error: unknown) => error);
    expect((interrupted as Error).name).toBe('AbortError');

    server = await server.restart();
    let firstReported: number | undefined;
    const result = await client.uploads.uploadFile(
      file,
      {},
      {
        chunkSize: 256 * 1024,
        onProgress: (sent) => {
          firstReported ??= sent;
        },
      },
    );
    expect(result.status).toBe('uploaded');
    expect(firstReported).toBeGreaterThan(data.length / 4);
    await client.close();
  });
});
