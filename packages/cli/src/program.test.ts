import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { examplesOf } from './commands/define.ts';
import { allCommands, buildProgram, run } from './program.ts';

const io = () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk;
  });
  return { stdout, stderr, stdin: new PassThrough(), env: {}, out: () => out, err: () => err };
};

describe('the command tree', () => {
  const program = buildProgram(
    { stdout: new PassThrough(), stderr: new PassThrough() },
    () => async () => {},
  );
  const leaves = allCommands(program).filter(
    (command) => command !== program && command.commands.length === 0,
  );

  it('gives every command a description, and every runnable one an example of itself in --help', () => {
    for (const command of allCommands(program).filter((c) => c !== program))
      expect(command.description(), command.name()).not.toBe('');
    for (const command of leaves.filter((c) => c.name() !== 'help')) {
      const path = [];
      for (let c: typeof command | null = command; c && c !== program; c = c.parent)
        path.unshift(c.name());
      const examples = examplesOf(command);
      expect(examples.length, path.join(' ')).toBeGreaterThan(0);
      for (const example of examples)
        expect(example, example).toMatch(new RegExp(`\\bflickr-cli .*\\b${path.join(' ')}\\b`));
    }
  });

  it('answers usage errors with exit 2 and one line, help and --version with 0', async () => {
    const bad = io();
    expect(await run(['upload'], bad)).toBe(2);
    expect(bad.err()).toMatch(/^flickr-cli: missing required argument 'paths'/);
    const help = io();
    expect(await run(['--help'], help)).toBe(0);
    expect(help.out()).toContain('Exit codes: 0 success');
    const version = io();
    expect(await run(['--version'], version)).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
