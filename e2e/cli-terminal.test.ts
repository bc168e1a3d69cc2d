// The ink view on a real terminal: flickr-cli runs in a tmux pane, and the
// test reads the screen while an upload is held mid-file by a proxy, then
// after it finishes. Skipped, saying why, where tmux is not installed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../packages/sdk/bench/counting-proxy.ts';
import { CLI_MAIN } from './cli/run-cli.ts';
import { haveTmux, killSession, quote, screen, tmuxRun, waitForScreen } from './cli/tmux.ts';
import { noisePhoto } from './fixtures/noise-photo.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

if (!haveTmux) console.warn('cli-terminal: skipped, tmux is not installed (apt-get install tmux)');

/** An SGR escape that sets a foreground colour. */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*3[0-9]m`);

describe.skipIf(!haveTmux)('flickr-cli on a terminal', () => {
  let server: RealServer;
  let proxy: CountingProxy;
  let dir: string;
  const sessions: string[] = [];

  beforeAll(async () => {
    server = await startRealServer();
    proxy = await startCountingProxy(Number(new URL(server.url).port));
    dir = await mkdtemp(join(tmpdir(), 'cli-terminal-'));
  });
  afterAll(async () => {
    for (const session of sessions) killSession(session);
    await proxy.close();
    await server.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the phase, overall and per-file progress while uploading, then the summary', async () => {
    const owner = await server.client();
    const folder = join(dir, 'photos');
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < 4; i++)
      await writeFile(join(folder, `small-${i}.jpg`), await photo(60 + i));
    const big = await noisePhoto(61);
    await writeFile(join(folder, 'zz-big.jpg'), big);

    const held = proxy.holdAfter(big.length / 2);
    const session = tmuxRun(
      `${quote(process.execPath)} --conditions=source ${quote(CLI_MAIN)} upload ${quote(folder)}`,
      {
        FLICKR_SERVER: proxy.url,
        FLICKR_TOKEN: owner.options.token as string,
        FLICKR_CONFIG_DIR: join(dir, 'config'),
        FLICKR_CACHE_DIR: join(dir, 'cache'),
        TERM: 'xterm-256color',
      },
    );
    sessions.push(session);
    await held;
    const during = await waitForScreen(session, /zz-big\.jpg .*MB of/);
    expect(during).toMatch(/uploading .*\d+%\s+\d+\/5 files, .* of .*MB/);
    expect(during).toMatch(/✓ uploaded\s+.*small-0\.jpg/);
    expect(during).toMatch(/^ {2}.*zz-big\.jpg\s+[█░]+ /m);
    for (const line of during.split('\n')) expect(line.length).toBeLessThanOrEqual(100);

    proxy.release();
    const after = await waitForScreen(session, /EXIT=\d+/);
    expect(after).toMatch(/✔ done: 5 uploaded in .*; .*MB sent/);
    expect(after).toContain('EXIT=0');
    expect(after).not.toMatch(/zz-big\.jpg\s+[█░]+ /);
  });

  it('draws in colour, and without any colour under NO_COLOR', async () => {
    const owner = await server.client();
    const file = join(dir, 'colour.jpg');
    await writeFile(file, await photo(70));
    const run = (env: Record<string, string>) =>
      tmuxRun(
        `${quote(process.execPath)} --conditions=source ${quote(CLI_MAIN)} upload ${quote(file)}`,
        {
          FLICKR_SERVER: server.url,
          FLICKR_TOKEN: owner.options.token as string,
          FLICKR_CONFIG_DIR: join(dir, 'config2'),
          FLICKR_CACHE_DIR: join(dir, 'cache2'),
          TERM: 'xterm-256color',
          FORCE_COLOR: '1',
          ...env,
        },
      );
    const coloured = run({});
    sessions.push(coloured);
    await waitForScreen(coloured, /EXIT=0/);
    expect(screen(coloured, true)).toMatch(COLOUR);

    const plain = run({ NO_COLOR: '1' });
    sessions.push(plain);
    await waitForScreen(plain, /EXIT=0/);
    const text = screen(plain, true);
    expect(text).toContain('done: 1 skipped');
    expect(text).not.toMatch(COLOUR);
  });
});
