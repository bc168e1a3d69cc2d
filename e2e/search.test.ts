// Search through the SDK and flickr-cli against a real server: what one
// client uploads and edits, another finds, and bad input is a typed error
// in the SDK and a one-line message with a non-zero exit in the CLI.
import { type FlickrClient, ValidationError } from '@flickr-kit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, signedInCli } from './cli/run-cli.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

describe('search through the SDK and the CLI', () => {
  let server: RealServer;
  let owner: FlickrClient & { username: string };
  let cli: CliUser;
  let searcher: FlickrClient & { username: string };
  let lighthouse: string;
  let harbour: string;

  beforeAll(async () => {
    server = await startRealServer();
    owner = await server.client();
    ({ cli, sdk: searcher } = await signedInCli(server));
    for (const [seed, title, tags] of [
      [401, 'Lighthouse at dawn', ['coast', 'sunrise']],
      [402, 'Harbour', ['lighthouse', 'boats']],
    ] as const) {
      const { photo: uploaded } = await owner.uploads.uploadFile(await photo(seed));
      await owner.photos.waitUntilReady(uploaded.id);
      await owner.photos.update(uploaded.id, { title, tags: [...tags], visibility: 'public' });
      if (seed === 401) lighthouse = uploaded.id;
      else harbour = uploaded.id;
    }
  });
  afterAll(async () => {
    await Promise.all([owner?.close(), searcher?.close(), cli?.destroy()]);
    await server?.destroy();
  });

  it('finds photos with the SDK, best match first, page after page', async () => {
    const pages = [];
    for await (const page of searcher.search.photos('lighthouse', { limit: 1 }).pages())
      pages.push(page.items.map((p) => p.id));
    expect(pages).toEqual([[lighthouse], [harbour]]);
    const typo = await searcher.search.photos('botas', { owner: owner.username }).toArray();
    expect(typo.map((p) => p.id)).toEqual([harbour]);
  });

  it('rejects a query without words with a typed error', async () => {
    await expect(searcher.search.photos('?!').first()).rejects.toBeInstanceOf(ValidationError);
  });

  it('finds photos with flickr-cli, as a table or as JSON lines', async () => {
    const text = await cli.run(['search', 'lighthouse', '--owner', owner.username]);
    expect(text.code).toBe(0);
    expect(text.stdout.indexOf(lighthouse)).toBeLessThan(text.stdout.indexOf(harbour));
    const json = await cli.run(['search', 'sunrse', '--json']);
    expect(json.code).toBe(0);
    expect(json.events.map((event) => event.id)).toEqual([lighthouse]);
    const limited = await cli.run(['search', 'lighthouse', '--limit', '1', '--json']);
    expect(limited.events).toHaveLength(1);
  });

  it('says in one line what is wrong with a search, and exits non-zero', async () => {
    for (const args of [
      ['search', '!!!'],
      ['search', 'x', '--taken-from', '2024-02-31x'],
      ['search', 'x', '--owner', 'nobody-at-all'],
      ['search', 'x', '--visibility', 'secret'],
    ]) {
      const result = await cli.run(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n')[0], args.join(' ')).toMatch(/^flickr-cli: /);
      expect(result.stdout).toBe('');
    }
  });
});
