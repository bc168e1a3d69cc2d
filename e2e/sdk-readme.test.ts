// Every TypeScript snippet of the SDK's README type-checks on its own, as
// a user would paste it into a module: no undefined variables, no stale API.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('packages/sdk/README.md', () => {
  it('has snippets that each type-check as a module of their own', async () => {
    const readme = await readFile(join(ROOT, 'packages/sdk/README.md'), 'utf8');
    const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(
      (match) => match[1] as string,
    );
    expect(snippets.length).toBeGreaterThan(8);
    const dir = await mkdtemp(join(tmpdir(), 'sdk-readme-'));
    try {
      const files = await Promise.all(
        snippets.map(async (code, index) => {
          const file = join(dir, `snippet-${index + 1}.mts`);
          await writeFile(file, code);
          return file;
        }),
      );
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2023,
        lib: ['lib.es2023.d.ts'],
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        customConditions: ['source'],
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        paths: { '@flickr-kit/sdk': [join(ROOT, 'packages/sdk/src/index.ts')] },
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        noUncheckedIndexedAccess: true,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName.startsWith(dir))
        .map(
          (d) =>
            `${d.file?.fileName.split('/').at(-1)}:${(d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? 0) + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      expect(problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
