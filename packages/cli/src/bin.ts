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

process.exitCode = await run(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env },
  { signal: interrupt.signal },
);
