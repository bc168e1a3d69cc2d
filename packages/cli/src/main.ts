#!/usr/bin/env -S node --max-semi-space-size=1
// A 1 MiB young generation: streaming gigabytes through 64 KiB buffers, the
// default (16 MiB) let some 60 MB of spent buffers wait for a collection,
// and the CLI's peak RSS went past 200 MB on a 5 GB file. Scavenges this
// small cost nothing measurable (packages/cli/bench/big-file.bench.ts).
import { ExitCode } from './exit-codes.ts';
import { run } from './program.ts';

// Ctrl-C or SIGTERM aborts the work in progress: uploads stop where they are
// (the next run resumes them) and the summary is printed. A second one quits at once.
const interrupt = new AbortController();
let signals = 0;
const stop = () => {
  signals++;
  if (signals > 1) process.exit(ExitCode.interrupted);
  interrupt.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const code = await run(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  },
  { signal: interrupt.signal },
);
process.exitCode = code;
