import { cpus, platform, tmpdir, totalmem } from 'node:os';

/** One line saying what the figures were measured on. */
export function describeMachine(): string {
  const cores = cpus();
  return (
    `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()}, Node ${process.version}, ` +
    `temporary files in ${tmpdir()}`
  );
}
