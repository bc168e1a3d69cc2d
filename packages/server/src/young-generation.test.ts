import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./young-generation.ts', import.meta.url));

/** The young generation's size in a fresh process after allocating 200 MB of short-lived objects. */
async function newSpaceAfterChurn(keepSmall: boolean): Promise<number> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    ${keepSmall ? `(await import(${JSON.stringify(MODULE)})).keepYoungGenerationSmall();` : ''}
    let kept = [];
    for (let i = 0; i < 2_000_000; i++) { kept.push({ i }); if (kept.length > 100_000) kept = []; }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size);
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--input-type=module', '-e', script],
    { env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return Number(stdout.trim());
}

describe('keepYoungGenerationSmall', () => {
  it('stops the young generation growing past a few MiB, where V8 lets it reach 32', async () => {
    const [small, grown] = await Promise.all([newSpaceAfterChurn(true), newSpaceAfterChurn(false)]);
    // The initial semi-space is 1 MiB; the young generation counts two, and a page or two more at times.
    expect(small).toBeLessThanOrEqual(8 * 2 ** 20);
    expect(grown).toBeGreaterThan(small);
  });
});
