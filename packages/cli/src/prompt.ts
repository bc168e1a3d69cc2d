import { createInterface } from 'node:readline';
import type { Io } from './context.ts';
import { UsageError } from './exit-codes.ts';

/** Asks on the terminal; `secret` hides what is typed. Refuses when stdin is not a terminal. */
export async function ask(io: Io, question: string, options: { secret?: boolean; flag: string }) {
  if (!io.stdin.isTTY)
    throw new UsageError(`${question.replace(/:\s*$/, '')} is needed: pass ${options.flag}`);
  const output = io.stderr;
  const rl = createInterface({ input: io.stdin, output, terminal: true });
  if (options.secret) {
    // Print the question, then swallow readline's echo of each key.
    const write = output.write.bind(output);
    let asked = false;
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text) => {
      if (!asked) {
        asked = true;
        write(text);
      }
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (options.secret) output.write('\n');
  }
}

/** All of stdin, without the trailing newline: for `--password-stdin`. */
export async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
