import { describe, expect, it } from 'vitest';
import { createSourceLimiter } from './source-limiter.js';

describe('createSourceLimiter', () => {
  it('allows maxPerSecond datagrams per address per one-second window; spent() says so without counting', () => {
    const l = createSourceLimiter({ maxPerSecond: 2 });
    expect(l.spent('a', 0)).toBe(false);
    expect([l.allow('a', 0), l.spent('a', 10), l.allow('a', 10), l.spent('a', 20), l.spent('a', 30)]).toEqual([true, false, true, true, true]);
    expect(l.allow('a', 999)).toBe(false);
    expect(l.spent('b', 999)).toBe(false);
    // A new window: the budget is back, and spent() alone never opened one.
    expect([l.spent('a', 1_000), l.allow('a', 1_000), l.allow('a', 1_001), l.allow('a', 1_002)]).toEqual([false, true, true, false]);
  });

  it('forgets the least recently active address beyond maxSources', () => {
    const l = createSourceLimiter({ maxPerSecond: 1, maxSources: 2 });
    ['a', 'b', 'c'].forEach((x) => l.allow(x, 0));
    expect(l.size).toBe(2);
    expect([l.spent('a', 1), l.spent('b', 1), l.spent('c', 1)]).toEqual([false, true, true]);
  });
});
