import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { probe, RENDER_SPEC_VERSION, renderRenditions } from '../src/index.ts';
import { DETERMINISM_SPECS } from './determinism-specs.ts';

const SOURCE = fileURLToPath(new URL('./fixtures/golden-source.jpg', import.meta.url));
const CHILD = fileURLToPath(new URL('./render-in-child.ts', import.meta.url));

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const render = async (specs = DETERMINISM_SPECS) =>
  (await renderRenditions(SOURCE, specs)).map((r) => sha256(r.data));

/**
 * The default thumbnail's SHA-256 for the committed golden source, per
 * renderer version. A failure here means output bytes changed: bump
 * PIPELINE_REVISION in rendition-spec.ts if the pipeline changed (an upgrade
 * of sharp or libvips changes the version by itself), then record the new hash.
 */
const GOLDEN_THUMBNAIL: Record<string, string> = {
  '1+sharp0.35.5+vips8.18.7+libheif1.23.2':
    '3ac670776fb8af90d0150ece2f9c6be0806f36e1a6d4ae61654627f9552f8faa',
};

describe('determinism', () => {
  afterEach(() => {
    sharp.simd(true);
  });

  it('renders the same bytes twice in one process', async () => {
    expect(await render()).toEqual(await render());
  });

  it('renders the same bytes in two separate processes', async () => {
    const run = async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--conditions=source',
        CHILD,
        SOURCE,
      ]);
      return JSON.parse(stdout) as string[];
    };
    const [first, second] = await Promise.all([run(), run()]);
    expect(first).toEqual(second);
    expect(first).toEqual(await render());
  });

  it('renders the same bytes with SIMD on and off, so CPUs with different vector units agree', async () => {
    sharp.simd(true);
    const vector = await render();
    sharp.simd(false);
    expect(await render()).toEqual(vector);
  });

  it('renders a buffer and a path of the same file alike', async () => {
    const fromBuffer = await renderRenditions(await readFile(SOURCE), DETERMINISM_SPECS);
    expect(fromBuffer.map((r) => sha256(r.data))).toEqual(await render());
  });

  it('matches the recorded thumbnail for this renderer version', async () => {
    expect((await probe(SOURCE)).orientation).toBe(6);
    const [thumbnail] = await render([{ name: 'thumbnail', width: 50, height: 500 }]);
    expect(
      GOLDEN_THUMBNAIL[RENDER_SPEC_VERSION],
      `thumbnail bytes for ${RENDER_SPEC_VERSION} changed or were never recorded: now ${thumbnail}`,
    ).toBe(thumbnail);
  });
});
