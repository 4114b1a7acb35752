import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const b = new TokenBucket({ rate: 10, burst: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(50)).toBe(false); // half a token
    expect(b.take(100)).toBe(true);
    expect(b.take(100)).toBe(false);
  });

  it('never saves more than the burst', () => {
    const b = new TokenBucket({ rate: 10, burst: 2 }, 0);
    const after = [b.take(60_000), b.take(60_000), b.take(60_000)];
    expect(after).toEqual([true, true, false]);
  });

  it('buckets sharing one limit keep their own tokens, full from the first take', () => {
    const limit = { rate: 10, burst: 2 };
    const [a, b] = [new TokenBucket(limit, 0), new TokenBucket(limit, 0)];
    expect([a.take(0), a.take(0), a.take(0)]).toEqual([true, true, false]);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false]);
    expect(a.full(200)).toBe(true);
    expect(b.has(50)).toBe(false);
  });

  it('ignores a clock that goes backwards', () => {
    const b = new TokenBucket({ rate: 1000, burst: 1 }, 100);
    expect(b.take(100)).toBe(true);
    expect(b.take(50)).toBe(false);
  });
});
