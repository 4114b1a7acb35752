import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';
import { fcRuns } from '../test/fc-runs.js';

const numRuns = fcRuns(200);

describe('TokenBucket properties', () => {
  it('grants at most burst + rate × elapsed, and at least what each gap refilled (capped at burst)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 200 }),
        (rate, burst, gaps) => {
          const b = new TokenBucket({ rate, burst }, 0);
          let now = 0;
          let granted = 0;
          // Full at start; after each drain at most a fraction of a token is carried over.
          let floor = burst;
          gaps.forEach((gap, i) => {
            now += gap;
            // Ask until refused, so the bucket is always drained: the tightest case for the upper bound.
            while (b.take(now)) granted++;
            if (i > 0) floor += Math.floor(Math.min(burst, (gap * rate) / 1000) - 1e-9);
          });
          expect(granted).toBeLessThanOrEqual(burst + (rate * now) / 1000);
          expect(granted).toBeGreaterThanOrEqual(floor);
        },
      ),
      { numRuns },
    );
  });
});
