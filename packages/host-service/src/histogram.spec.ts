import { describe, expect, it } from 'vitest';
import { Histogram, LATENCY_BUCKETS_US } from './histogram.js';

describe('Histogram', () => {
  it('counts samples into cumulative buckets with sum, max and percentiles', () => {
    const h = new Histogram();
    for (const us of [1, 3, 3, 100, 5_000_000]) h.record(us);
    const s = h.snapshot();
    expect(s.count).toBe(5);
    expect(s.sumUs).toBe(5_000_107);
    expect(s.maxUs).toBe(5_000_000);
    expect(s.buckets.find(([le]) => le === 1)?.[1]).toBe(1);
    expect(s.buckets.find(([le]) => le === 4)?.[1]).toBe(3);
    expect(s.buckets.find(([le]) => le === 128)?.[1]).toBe(4);
    expect(s.buckets.at(-1)).toEqual([Infinity, 5]);
    expect(s.buckets).toHaveLength(LATENCY_BUCKETS_US.length + 1);
    expect(s.p50Us).toBe(4);
    expect(s.p99Us).toBe(5_000_000);
  });

  it('is all zeros when empty', () => {
    expect(new Histogram().snapshot()).toMatchObject({ count: 0, p50Us: 0, p99Us: 0, maxUs: 0 });
  });
});
