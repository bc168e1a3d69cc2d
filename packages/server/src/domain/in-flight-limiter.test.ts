import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { InFlightLimiter } from './in-flight-limiter.ts';

describe('InFlightLimiter', () => {
  it('refuses a request over the limit at once with 429 and Retry-After', () => {
    const limiter = new InFlightLimiter(1, 'Uploads');
    const release = limiter.acquire('u');
    expect(() => limiter.acquire('u')).toThrow(DomainError);
    expect(() => limiter.acquire('other')).not.toThrow();
    release();
    expect(() => limiter.acquire('u')).not.toThrow();
  });

  it('hands a freed slot to the first in line, in order, and lets nobody jump the queue', async () => {
    const limiter = new InFlightLimiter(1, 'Uploads');
    const release = limiter.acquire('u');
    const order: string[] = [];
    const second = limiter.acquireWithin('u', 5_000).then((done) => {
      order.push('second');
      return done;
    });
    const third = limiter.acquireWithin('u', 5_000).then((done) => {
      order.push('third');
      return done;
    });
    // Not while others wait, even if a slot were free.
    expect(() => limiter.acquire('u')).toThrow(DomainError);
    release();
    const releaseSecond = await second;
    expect(order).toEqual(['second']);
    releaseSecond();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(() => limiter.acquire('u')).not.toThrow();
  });

  it('refuses a request that waited longer than it may, or whose client went away', async () => {
    const limiter = new InFlightLimiter(1, 'Uploads');
    const release = limiter.acquire('u');
    await expect(limiter.acquireWithin('u', 30)).rejects.toMatchObject({
      code: 'too_many_uploads',
      retryAfterSeconds: 1,
    });
    const gone = new AbortController();
    const waiting = limiter.acquireWithin('u', 5_000, gone.signal);
    gone.abort();
    await expect(waiting).rejects.toBeInstanceOf(DomainError);
    // Neither kept a place in the queue: the slot comes back free.
    release();
    expect(() => limiter.acquire('u')).not.toThrow();
  });
});
