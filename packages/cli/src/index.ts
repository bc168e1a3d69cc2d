export { examplesOf } from './commands/define.ts';
export type { GlobalOptions, Io } from './context.ts';
export { CliError, EXIT_CODE_MEANINGS, ExitCode, UsageError } from './exit-codes.ts';
export type { CliEvent, FileStatus, Phase, PlanAction, Summary } from './output/events.ts';
export { allCommands, buildProgram, type RunOptions, run } from './program.ts';
