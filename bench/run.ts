// `pnpm bench`: runs every package's benchmarks in turn, each in its own
// process. Benchmarks print figures and ratios against baselines measured in
// the same run; they never fail the build, so a crash is reported and skipped.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const packagesDir = join(root, 'packages');

const benches = readdirSync(packagesDir)
  .flatMap((pkg) => {
    const dir = join(packagesDir, pkg, 'bench');
    try {
      return readdirSync(dir)
        .filter((name) => name.endsWith('.bench.ts'))
        .map((name) => join(dir, name));
    } catch {
      return [];
    }
  })
  .filter((file) => only.length === 0 || only.some((word) => file.includes(word)));

for (const file of benches) {
  console.log(
    `\n── ${relative(root, file)} ${'─'.repeat(Math.max(0, 60 - relative(root, file).length))}`,
  );
  const { status } = spawnSync(process.execPath, ['--conditions=source', file], {
    stdio: 'inherit',
    cwd: root,
  });
  if (status !== 0) console.log(`(benchmark exited with ${status}; continuing)`);
}
