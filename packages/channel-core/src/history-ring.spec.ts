import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryRing } from './history-ring.js';
import { fcRuns } from './fc-runs.js';

describe('HistoryRing', () => {
  it('keeps the last `capacity` items in order', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.array(fc.integer(), { maxLength: 60 }), (cap, items) => {
        const ring = new HistoryRing<number>(cap);
        for (const i of items) ring.push(i);
        const want = cap === 0 ? [] : items.slice(-cap);
        expect(ring.toArray()).toEqual(want);
        expect(ring.length).toBe(want.length);
      }),
      { numRuns: fcRuns(100) },
    );
  });

  it('removes the newest occurrence of an item and keeps the rest in order, also after wrapping', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fc.nat(5), { maxLength: 30 }), fc.nat(5), (cap, items, victim) => {
        const ring = new HistoryRing<number>(cap);
        for (const i of items) ring.push(i);
        const want = items.slice(-cap);
        const at = want.lastIndexOf(victim);
        expect(ring.remove(victim)).toBe(at >= 0);
        if (at >= 0) want.splice(at, 1);
        expect(ring.toArray()).toEqual(want);
        expect(ring.length).toBe(want.length);
        ring.push(99);
        expect(ring.toArray()).toEqual([...want, 99].slice(-cap));
      }),
      { numRuns: fcRuns(100) },
    );
  });

  it('rejects a negative capacity', () => {
    expect(() => new HistoryRing(-1)).toThrow(RangeError);
  });
});
