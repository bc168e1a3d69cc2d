import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliEvent } from './events.ts';
import { createReporter } from './reporter.ts';

async function capture(options: { json?: boolean; verbose?: boolean; tty?: boolean }) {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false, columns: 80 });
  let text = '';
  stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const reporter = await createReporter({
    command: 'upload',
    json: options.json ?? false,
    verbose: options.verbose ?? false,
    stdout,
    stderr: new PassThrough(),
    env: {},
  });
  return { reporter, text: () => text };
}

async function batch(reporter: Awaited<ReturnType<typeof capture>>['reporter']) {
  reporter.phase('uploading', { files: 3 });
  reporter.start('/a.jpg', 'a.jpg', 1000);
  reporter.advance('/a.jpg', 500);
  reporter.item({ path: 'a.jpg', status: 'uploaded', bytes: 1000 }, 1000, '/a.jpg');
  reporter.item({ path: 'b.jpg', status: 'skipped', reason: 'exists' });
  reporter.item({ path: 'c.jpg', status: 'failed', error: 'Not a supported image' });
  return reporter.finish();
}

describe('reporters', () => {
  it('--json writes one parseable event per line and a final summary', async () => {
    const { reporter, text } = await capture({ json: true });
    const summary = await batch(reporter);
    const events = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as CliEvent);
    expect(events.map((e) => e.type)).toEqual(['phase', 'file', 'file', 'file', 'summary']);
    expect(events[1]).toEqual({ type: 'file', path: 'a.jpg', status: 'uploaded', bytes: 1000 });
    expect(events.at(-1)).toEqual(summary);
    expect(summary).toMatchObject({
      command: 'upload',
      counts: { uploaded: 1, skipped: 1, failed: 1 },
      bytesTransferred: 1000,
      failures: [{ path: 'c.jpg', error: 'Not a supported image' }],
      interrupted: false,
      dryRun: false,
    });
  });

  it('plain lines leave skipped files out unless --verbose, and carry no escape codes', async () => {
    const quiet = await capture({});
    await batch(quiet.reporter);
    expect(quiet.text().split('\n')).toEqual([
      'uploading 3 files',
      'uploaded   a.jpg (1.0 kB)',
      'failed     c.jpg: Not a supported image',
      expect.stringMatching(/^done: 1 uploaded, 1 skipped, 1 failed in 0s; 1\.0 kB sent$/),
      '',
    ]);
    const verbose = await capture({ verbose: true });
    await batch(verbose.reporter);
    expect(verbose.text()).toContain('skipped    b.jpg (already on the server)');
    expect(verbose.text()).not.toContain(String.fromCharCode(27));
  });

  it('a dry run sums up what it would do', async () => {
    const { reporter, text } = await capture({});
    reporter.plan({ action: 'upload', path: 'a.jpg', bytes: 2_000_000 });
    reporter.plan({ action: 'skip', path: 'b.jpg', reason: 'exists' });
    const summary = await reporter.finish();
    expect(summary.planned).toEqual({
      upload: { count: 1, bytes: 2_000_000 },
      skip: { count: 1, bytes: 0 },
    });
    expect(text()).toContain('would upload   a.jpg (2.0 MB)');
    expect(text()).toContain('would skip     b.jpg (already on the server)');
    expect(text()).toMatch(
      /dry run: would upload 1 file \(2\.0 MB\), would skip 1 file; nothing changed/,
    );
  });

  it('reports a photo the server could not process as a failure with its reason, and says where to list them', async () => {
    const events = (run: Awaited<ReturnType<typeof capture>>) =>
      run
        .text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as CliEvent);
    const unprocessed = async (reporter: Awaited<ReturnType<typeof capture>>['reporter']) => {
      reporter.phase('uploading', { files: 2 });
      reporter.item({ path: 'a.jpg', photoId: 'p1', status: 'uploaded', bytes: 1000 }, 1000);
      reporter.item({ path: 'b.png', photoId: 'p2', status: 'uploaded', bytes: 500 }, 500);
      reporter.item({
        path: 'b.png',
        photoId: 'p2',
        status: 'failed',
        reason: 'processing',
        error: 'pngload: libspng read error',
      });
      return reporter.finish();
    };
    const json = await capture({ json: true });
    const summary = await unprocessed(json.reporter);
    expect(events(json).at(-2)).toEqual({
      type: 'file',
      path: 'b.png',
      photoId: 'p2',
      status: 'failed',
      reason: 'processing',
      error: 'pngload: libspng read error',
    });
    expect(summary.failures).toEqual([
      { path: 'b.png', photoId: 'p2', reason: 'processing', error: 'pngload: libspng read error' },
    ]);
    const plain = await capture({});
    await unprocessed(plain.reporter);
    expect(plain.text()).toContain(
      'failed     b.png: the server could not process it: pngload: libspng read error',
    );
    expect(plain.text()).toMatch(
      /^done: 2 uploaded, 1 failed in 0s; 1\.5 kB sent; the server could not process 1 photo \(flickr-cli photos ls --status failed\)$/m,
    );
  });

  it('an interrupted run says so', async () => {
    const { reporter, text } = await capture({});
    reporter.phase('uploading');
    await reporter.finish({ interrupted: true });
    expect(text()).toMatch(/^interrupted: nothing to do/m);
  });
});
