import type { CliContext } from '../context.ts';
import { ExitCode, isFatal, oneLine } from '../exit-codes.ts';

/**
 * Deletes things one by one, going on past those that fail: each is
 * reported (a line, or an NDJSON record with --json), a failure on stderr
 * too, and any failure makes the exit code `failed`. A fatal error (signed
 * out, server gone, Ctrl-C) stops the run.
 */
export async function deleteEach(
  context: CliContext,
  ids: string[],
  remove: (id: string) => Promise<unknown>,
  done: (id: string) => string,
): Promise<ExitCode | undefined> {
  let failed = 0;
  for (const id of ids) {
    try {
      await remove(id);
      context.print(done(id), { id, status: 'deleted' });
    } catch (error) {
      if (isFatal(error)) throw error;
      failed++;
      const message = oneLine(error as Error);
      context.io.stderr.write(`flickr-cli: ${id}: ${message}\n`);
      if (context.json) context.print('', { id, status: 'failed', error: message });
    }
  }
  return failed ? ExitCode.failed : undefined;
}
