import { describe, expect, it } from 'vitest';
import { Doorbell } from './doorbell.ts';

describe('Doorbell', () => {
  it('wakes every waiter on a ring, and only those waiting then', async () => {
    const wakeup = new Doorbell();
    const never = new AbortController().signal;
    const woken: string[] = [];
    const a = wakeup.wait(60_000, never).then(() => woken.push('a'));
    const b = wakeup.wait(60_000, never).then(() => woken.push('b'));
    wakeup.ring();
    await Promise.all([a, b]);
    expect(woken.sort()).toEqual(['a', 'b']);
    const late = wakeup.wait(20, never).then(() => 'timed out');
    expect(await late).toBe('timed out');
  });

  it('returns at once when its signal aborts', async () => {
    const wakeup = new Doorbell();
    const stop = new AbortController();
    const waiting = wakeup.wait(60_000, stop.signal);
    stop.abort();
    await waiting;
    await wakeup.wait(60_000, stop.signal);
  });
});
