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

  it('rejects a negative capacity', () => {
    expect(() => new HistoryRing(-1)).toThrow(RangeError);
  });
});
