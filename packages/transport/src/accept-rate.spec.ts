import { describe, expect, it } from 'vitest';
import { AcceptRate } from './accept-rate.js';

describe('AcceptRate', () => {
  it('lets an address open its burst at once, then its rate, refilled over time', () => {
    const r = new AcceptRate(2, 3);
    expect([1, 2, 3, 4].map(() => r.take('10.0.0.1', 0))).toEqual([true, true, true, false]);
    expect(r.take('10.0.0.1', 499)).toBe(false);
    expect(r.take('10.0.0.1', 500)).toBe(true);
    expect(r.take('10.0.0.1', 500)).toBe(false);
  });

  it('gives every address its own budget', () => {
    const r = new AcceptRate(1, 1);
    expect(r.take('10.0.0.1', 0)).toBe(true);
    expect(r.take('10.0.0.1', 0)).toBe(false);
    expect(r.take('10.0.0.2', 0)).toBe(true);
  });

  it('forgets addresses whose budget refilled, so one-off sources do not grow the map without bound', () => {
    const r = new AcceptRate(1_000, 1);
    for (let i = 0; i < 5_000; i++) r.take(`10.0.${i >> 8}.${i & 255}`, i * 10);
    expect(r.size).toBeLessThanOrEqual(2_048);
    // An address still paying for its loop is kept through a sweep.
    const slow = new AcceptRate(0.001, 1);
    slow.take('10.9.9.9', 0);
    for (let i = 0; i < 3_000; i++) slow.take(`10.1.${i >> 8}.${i & 255}`, 1);
    expect(slow.take('10.9.9.9', 2)).toBe(false);
  });
});
