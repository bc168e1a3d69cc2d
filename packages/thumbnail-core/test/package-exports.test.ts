import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { heicFixture } from './heic-fixtures.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(new URL('../dist/index.cjs', import.meta.url));
if (!built && !process.env.CI) console.warn('Skipping package-exports: run `pnpm build` first');

/** Loads the built package by its own name, without the `source` condition, as a user's project would. */
async function load(kind: 'import' | 'require'): Promise<Record<string, string>> {
  const script =
    kind === 'import'
      ? `const m = await import('@flickr-kit/thumbnail-core');`
      : `const m = require('@flickr-kit/thumbnail-core');`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      `--input-type=${kind === 'import' ? 'module' : 'commonjs'}`,
      '-e',
      `(async () => { ${script} const [t] = await m.renderRenditions(Buffer.from(${JSON.stringify(TINY_PNG)}, 'base64'));
        const [h] = await m.renderRenditions(${JSON.stringify(HEIC)});
        console.log(JSON.stringify({ version: m.RENDER_SPEC_VERSION, size: t.width + 'x' + t.height,
          heic: h.width + 'x' + h.height, error: typeof m.UnsupportedFormatError })); })()`,
    ],
    { cwd: packageDir },
  );
  return JSON.parse(stdout) as Record<string, string>;
}

// Decoded by libheif-js on the built worker thread, which must find its WebAssembly from dist.
const HEIC = heicFixture('portrait-irot.heic');

// A 2×1 PNG, small enough to inline.
const TINY_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAD0lEQVQImWP4z8Dwn4EBAAj+Af/KOtJRAAAAAElFTkSuQmCC';

describe.skipIf(!built && !process.env.CI)('the built package', () => {
  it.each(['import', 'require'] as const)('loads and renders through %s', async (kind) => {
    const loaded = await load(kind);
    expect(loaded).toMatchObject({ size: '2x1', heic: '50x75', error: 'function' });
    expect(loaded.version).toMatch(/^\d+\+sharp.*\+libheif/);
  });
});
