import { describe, expect, it } from 'vitest';
import { ThumbnailLookahead } from './thumbnail-lookahead.ts';

/** A render the test finishes by hand, on a clock the test moves. */
function harness() {
  let now = 0;
  const lookahead = new ThumbnailLookahead(() => now);
  const started: number[] = [];
  const finishers = new Map<number, () => void>();
  const queue = (key: number, bytes = 1000) =>
    lookahead.queued({
      key,
      bytes,
      render: () =>
        new Promise((resolve) => {
          started.push(key);
          finishers.set(key, () => resolve({ thumbnail: `t${key}` }));
        }),
    });
  const finish = async (key: number, afterMs: number) => {
    now += afterMs;
    finishers.get(key)?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    lookahead,
    started,
    queue,
    finish,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

describe('ThumbnailLookahead', () => {
  it('never makes a transfer wait: a file whose thumbnail is not ready goes without it', () => {
    const { lookahead, queue, started } = harness();
    queue(1);
    expect(started).toEqual([1]);
    expect(lookahead.take(1)).toEqual({});
  });

  it('on a slow link renders every waiting file ahead of its transfer', async () => {
    const { lookahead, queue, started, finish } = harness();
    for (const key of [1, 2, 3, 4]) queue(key);
    await finish(1, 10); // 100 bytes/ms of rendering
    expect(lookahead.take(1)).toEqual({ thumbnail: 't1' });
    lookahead.sent(1000, 1000); // 1 byte/ms of network
    await finish(2, 10);
    await finish(3, 10);
    await finish(4, 10);
    expect(started).toEqual([1, 2, 3, 4]);
    expect([2, 3, 4].map((key) => lookahead.take(key))).toEqual([
      { thumbnail: 't2' },
      { thumbnail: 't3' },
      { thumbnail: 't4' },
    ]);
  });

  it('on a fast link stops rendering once the transfers outpace it', async () => {
    const { lookahead, queue, started, finish } = harness();
    for (const key of [1, 2, 3, 4, 5]) queue(key);
    expect(lookahead.take(1)).toEqual({});
    lookahead.sent(1000, 1); // 1000 bytes/ms of network
    await finish(1, 100); // 10 bytes/ms of rendering
    expect(lookahead.rendering).toBe(false);
    expect(started).toEqual([1]);
    expect([2, 3, 4, 5].map((key) => lookahead.take(key))).toEqual([{}, {}, {}, {}]);
  });

  it('skips files too close to their transfer for a render to finish in time', async () => {
    const { lookahead, queue, started, finish } = harness();
    lookahead.sent(1000, 100); // 10 bytes/ms of network
    queue(1);
    await finish(1, 50); // 20 bytes/ms of rendering: faster than the network
    lookahead.take(1);
    // File 2 is next (no bytes ahead of it): rendering it would make it wait. File 3 has 1000 bytes ahead.
    queue(2);
    queue(3);
    expect(started).toEqual([1, 3]);
  });
});
