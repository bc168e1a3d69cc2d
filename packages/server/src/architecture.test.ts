import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

/** Every source file (tests left out) and what it imports. */
async function sources(): Promise<{ file: string; imports: string[] }[]> {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
  return Promise.all(
    files.map(async (path) => {
      const text = await readFile(path, 'utf8');
      const imports = [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map(
        (match) => match[1] as string,
      );
      return { file: relative(SRC, path), imports };
    }),
  );
}

// Routes call the domain, the domain calls ports, only adapters know a driver:
// an S3, NATS or Redis adapter must be addable without touching the layers above.
describe('layering', () => {
  it('lets only adapters and the composition root import adapters', async () => {
    const offenders = (await sources())
      .filter(({ file }) => !file.startsWith('adapters/') && file !== 'services.ts')
      .flatMap(({ file, imports }) =>
        imports.filter((path) => path.includes('/adapters/')).map((path) => `${file} → ${path}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps the composition root and the server CLI off http code: a worker needs no routes', async () => {
    const offenders = (await sources())
      .filter(({ file }) => file === 'services.ts' || file.startsWith('cli/'))
      .flatMap(({ file, imports }) =>
        imports.filter((path) => /(^|\/)http\//.test(path)).map((path) => `${file} → ${path}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps the domain, the saga and the jobs off the file system: bytes go through ports', async () => {
    const offenders = (await sources())
      .filter(({ file }) => /^(domain|saga|jobs)\//.test(file))
      .flatMap(({ file, imports }) =>
        imports.filter((path) => /^(node:)?fs(\/|$)/.test(path)).map((path) => `${file} → ${path}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps support free of every layer: any layer may use it', async () => {
    const offenders = (await sources())
      .filter(({ file }) => file.startsWith('support/'))
      .flatMap(({ file, imports }) =>
        imports
          .filter((path) => path.startsWith('.') && !path.startsWith('./'))
          .map((path) => `${file} → ${path}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps ports free of the layers that use them', async () => {
    const offenders = (await sources())
      .filter(({ file }) => file.startsWith('ports/'))
      .flatMap(({ file, imports }) =>
        imports
          .filter((path) => path.startsWith('.') && !path.startsWith('./'))
          .map((path) => `${file} → ${path}`),
      );
    expect(offenders).toEqual([]);
  });
});
