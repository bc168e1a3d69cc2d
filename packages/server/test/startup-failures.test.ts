import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Runs `flickr-server serve` with the environment given, to its exit. */
function serve(env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', MAIN, 'serve'],
      { env: { PATH: process.env.PATH ?? '', FLICKR_LOG_LEVEL: 'warn', ...env }, timeout: 30_000 },
      (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

/** The one line the server says, without the warnings its logger may write first. */
const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

describe('a server that cannot start says why in one line and exits 1', () => {
  let dir: string;
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flickr-startup-'));
    taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(async () => {
    taken.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names a port in use and the setting that changes it', async () => {
    const { code, stderr } = await serve({
      FLICKR_DATA_DIR: join(dir, 'port'),
      FLICKR_PORT: String(port),
    });
    expect(code).toBe(1);
    expect(lastLine(stderr)).toBe(
      `flickr-server: port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with FLICKR_PORT (--port)`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names a data folder it cannot create', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const { code, stderr } = await serve({ FLICKR_DATA_DIR: join(file, 'data') });
    expect(code).toBe(1);
    expect(lastLine(stderr)).toMatch(
      /^flickr-server: cannot write .*a-file\/data \(ENOTDIR\): the data folder .* must be writable/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names a database it cannot reach, without its password', async () => {
    // A port nothing listens on: the connection is refused.
    const closed = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const nobody = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const { code, stderr } = await serve({
      FLICKR_DATA_DIR: join(dir, 'db'),
      DATABASE_URL: `postgres://someone:hunter2@127.0.0.1:${nobody}/photos`,
    });
    expect(code).toBe(1);
    const line = lastLine(stderr);
    expect(line).toMatch(
      /^flickr-server: cannot reach the database at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:\d+\/photos: /,
    );
    expect(stderr).not.toContain('hunter2');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
