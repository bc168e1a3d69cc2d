import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callApi } from './api-calls.ts';
import { startBinary } from './binary-process.ts';
import { eventually, registerUser, TEST_DATABASE } from './harness.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

interface LogLine {
  msg: string;
  reqId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

describe.runIf(TEST_DATABASE === 'sqlite')('the access log of the flickr-server binary', () => {
  it('writes one line per request, without signatures or tokens', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'flickr-access-log-'));
    const server = await startBinary(['all'], {
      FLICKR_DATA_DIR: dataDir,
      FLICKR_WORKER_POLL_MS: '50',
    });
    try {
      const url = server.url as string;
      const user = await registerUser(url);
      const { photo } = await uploadPhoto(url, await testPhoto(1950), { token: user.token });
      const ready = await eventually(async () => {
        const { body } = await callApi(url, user, 'GET', `/v1/photos/${photo.id}`);
        return body.status === 'ready' ? body : undefined;
      }, 30_000);
      const thumbnail = new URL(
        ready.renditions.find((r: { name: string }) => r.name === 'thumbnail')?.url as string,
        url,
      );
      // Twice: once through the route, once (cached by then) through the hot path.
      for (let i = 0; i < 2; i++) expect((await fetch(thumbnail)).status).toBe(200);
      const listing = await fetch(`${url}/v1/photos/${photo.id}?token=${user.token}`, {
        headers: { 'x-request-id': 'access-log-test-request' },
      });
      await listing.arrayBuffer();

      const lines = await eventually(async () => {
        const parsed = server
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as LogLine);
        return parsed.some(
          (line) => line.reqId === 'access-log-test-request' && line.msg === 'request completed',
        )
          ? parsed
          : undefined;
      }, 5_000);
      const signature = thumbnail.searchParams.get('s') as string;
      expect(server.stdout()).not.toContain(signature);
      expect(server.stdout()).not.toContain(user.token);
      const forThumbnail = lines.filter((line) => line.req?.url.startsWith(thumbnail.pathname));
      expect(forThumbnail).toHaveLength(2);
      for (const line of forThumbnail) {
        expect(line.msg).toBe('request completed');
        expect(line.req?.url).toContain('s=[redacted]');
        expect(line.res?.statusCode).toBe(200);
      }
      // One access line (a refusal adds a line saying why, not another access line).
      const forListing = lines.filter(
        (line) => line.reqId === 'access-log-test-request' && line.req !== undefined,
      );
      expect(forListing.map((line) => [line.msg, line.req?.url])).toEqual([
        ['request completed', `/v1/photos/${photo.id}?token=[redacted]`],
      ]);
    } finally {
      await server.terminate();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
