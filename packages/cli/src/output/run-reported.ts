import type { CliContext } from '../context.ts';
import { ExitCode } from '../exit-codes.ts';
import { PROCESSING_FAILED, type Summary } from './events.ts';
import type { Reporter } from './reporter.ts';

/**
 * Exit code of a finished batch: 130 when interrupted; 1 when an item
 * failed that a rerun may get through; 5 when the only failures are photos
 * the server could not process, which a rerun does not change.
 */
export function exitCodeOf(summary: Pick<Summary, 'interrupted' | 'failures'>): ExitCode {
  if (summary.interrupted) return ExitCode.interrupted;
  if (summary.failures.some((failure) => failure.reason !== PROCESSING_FAILED))
    return ExitCode.failed;
  return summary.failures.length > 0 ? ExitCode.unprocessed : ExitCode.ok;
}

/**
 * Runs a long command's work with its reporter. At the end: the summary
 * and the exit code. When the work fails as a whole (a refused token, the
 * server gone): the view is released without a summary and the error goes
 * on to be reported as one line. Ctrl-C ends it as interrupted, unless
 * stopping is how the command ends (`--watch`).
 */
export async function runReported(
  context: CliContext,
  reporter: Reporter,
  work: () => Promise<void>,
  options: { stopIsNormal?: boolean } = {},
): Promise<ExitCode> {
  try {
    await work();
  } catch (error) {
    if (!context.signal.aborted) {
      await reporter.fail();
      throw error;
    }
  }
  const interrupted = context.signal.aborted && !options.stopIsNormal;
  return exitCodeOf(await reporter.finish({ interrupted }));
}
