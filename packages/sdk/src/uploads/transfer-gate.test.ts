import { describe, expect, it } from 'vitest';
import { TransferGate } from './transfer-gate.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('TransferGate', () => {
  it('lets `slots` holders through at once, the rest in arrival order as slots free', async () => {
    const gate = new TransferGate(1);
    const order: string[] = [];
    const first = await gate.acquire();
    const second = gate.acquire().then((permit) => {
      order.push('second');
      return permit;
    });
    const third = gate.acquire().then((permit) => {
      order.push('third');
      return permit;
    });
    await tick();
    expect(order).toEqual([]);
    first.release();
    first.release(); // releasing twice frees one slot only
    (await second).release();
    (await third).release();
    expect(order).toEqual(['second', 'third']);
    // Every slot is free again.
    const again = await Promise.race([gate.acquire(), tick().then(() => 'blocked')]);
    expect(again).not.toBe('blocked');
  });

  it('tells when every granted transfer has begun to send', async () => {
    const gate = new TransferGate(2);
    await gate.sending(); // nothing granted: at once
    const a = await gate.acquire();
    const b = await gate.acquire();
    let sending = false;
    const waited = gate.sending().then(() => {
      sending = true;
    });
    a.started();
    a.started();
    await tick();
    expect(sending).toBe(false);
    // A transfer that ends without sending (an error before its body) counts as started.
    b.release();
    await waited;
    expect(sending).toBe(true);
  });
});
