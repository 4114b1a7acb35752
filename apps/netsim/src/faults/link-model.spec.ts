import { describe, expect, it } from 'vitest';
import { isClean, planFrame, seededRandom } from './link-model.js';

const fixed = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe('planFrame (what a faulty link does to one frame)', () => {
  it('passes a frame at once on a clean link', () => {
    expect(isClean({})).toBe(true);
    expect(planFrame({}, { busyUntil: 0 }, 100, 50, fixed(0.5))).toEqual([50]);
  });

  it('drops the loss percentage and delays the rest, jitter around the delay', () => {
    const r = seededRandom(7);
    const state = { busyUntil: 0 };
    const plans = Array.from({ length: 10_000 }, () => planFrame({ lossPercent: 20, delayMs: 50, jitterMs: 10 }, state, 100, 0, r));
    const lost = plans.filter((p) => p.length === 0).length;
    expect(lost).toBeGreaterThan(1_700);
    expect(lost).toBeLessThan(2_300);
    const times = plans.flat();
    expect(Math.min(...times)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...times)).toBeLessThanOrEqual(60);
  });

  it('duplicates and reorders by their percentages', () => {
    // random: loss not asked; reorder draw 0.1 (< 50 %): sent at once; duplicate draw 0.2 (< 30 %).
    expect(planFrame({ delayMs: 80, reorderPercent: 50, duplicatePercent: 30 }, { busyUntil: 0 }, 10, 5, fixed(0.1, 0.2))).toEqual([5, 5]);
    expect(planFrame({ delayMs: 80, reorderPercent: 50, duplicatePercent: 30 }, { busyUntil: 0 }, 10, 5, fixed(0.9, 0.9))).toEqual([85]);
  });

  it('queues frames behind each other at the bandwidth limit', () => {
    const state = { busyUntil: 0 };
    // 1000 bytes at 80 kbit/s: 100 ms each.
    expect(planFrame({ rateKbit: 80 }, state, 1000, 0, fixed(0.5))).toEqual([100]);
    expect(planFrame({ rateKbit: 80 }, state, 1000, 10, fixed(0.5))).toEqual([200]);
    expect(planFrame({ rateKbit: 80 }, state, 1000, 500, fixed(0.5))).toEqual([600]);
  });
});
