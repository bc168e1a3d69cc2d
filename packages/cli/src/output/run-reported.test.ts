import { describe, expect, it } from 'vitest';
import { ExitCode } from '../exit-codes.ts';
import { exitCodeOf } from './run-reported.ts';

const unprocessed = { path: 'b.png', photoId: 'p2', reason: 'processing', error: 'bad pixels' };
const unsent = { path: 'c.jpg', error: 'Not a supported image' };

describe('exitCodeOf', () => {
  it('tells a run whose files all went through from one a rerun may finish, and from an interruption', () => {
    expect(exitCodeOf({ interrupted: false, failures: [] })).toBe(ExitCode.ok);
    expect(exitCodeOf({ interrupted: false, failures: [unprocessed] })).toBe(ExitCode.unprocessed);
    expect(exitCodeOf({ interrupted: false, failures: [unsent] })).toBe(ExitCode.failed);
    // A rerun has work to do: that comes first.
    expect(exitCodeOf({ interrupted: false, failures: [unprocessed, unsent] })).toBe(
      ExitCode.failed,
    );
    expect(exitCodeOf({ interrupted: true, failures: [unprocessed, unsent] })).toBe(
      ExitCode.interrupted,
    );
  });
});
