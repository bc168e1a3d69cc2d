import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.ts';
import type { ExitCode } from '../exit-codes.ts';

/** A command's body: runs with the context, returns its exit code (0 when nothing is returned). */
export type Action<A extends unknown[]> = (
  context: CliContext,
  ...args: A
) => Promise<ExitCode | undefined>;

/** Turns an {@link Action} into what commander calls; program.ts supplies it. */
export type Wrap = <A extends unknown[]>(
  action: Action<A>,
) => (...args: unknown[]) => Promise<void>;

const EXAMPLES = new WeakMap<Command, string[]>();

/** Adds examples to a command's `--help`, and to docs/cli.md, which is generated from them. */
export function examples(command: Command, lines: string[]): Command {
  EXAMPLES.set(command, lines);
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

export function examplesOf(command: Command): string[] {
  return EXAMPLES.get(command) ?? [];
}

/** Parses a whole number option from 1 to `max`, for commander. */
export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(
        `${name} must be a whole number from 1${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got ${value}`,
      );
    return n;
  };
}

/** `a, b,c` → `['a', 'b', 'c']`. */
export const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Repeatable option: `--include a --include b`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
