import { describe, expect, it } from 'vitest';
import { TransferGate } from './transfer-gate.ts';

describe('TransferGate', () => {
  it('lets `slots` holders through at once, the rest in arrival order as slots free', async () => {
    const gate = new TransferGate(1);
    const order: string[] = [];
    const first = await gate.acquire();
    const second = gate.acquire().then((release) => {
      order.push('second');
      return release;
    });
    const third = gate.acquire().then((release) => {
      order.push('third');
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one slot only
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    // Every slot is free again.
    const again = await Promise.race([
      gate.acquire(),
      new Promise((r) => setImmediate(() => r('blocked'))),
    ]);
    expect(again).not.toBe('blocked');
  });
});
