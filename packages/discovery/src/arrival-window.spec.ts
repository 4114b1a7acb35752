import { describe, expect, it } from 'vitest';
import { createArrivals, recordArrival, type ArrivalWindow } from './arrival-window.js';

/** A window fed PDUs at `times` (ms), with our stalled-time total from `stalledAt`. */
function fed(times: readonly number[], stalledAt: (t: number) => number = () => 0, assumed = 2_000): ArrivalWindow {
  const [first = 0, ...rest] = times;
  const w = createArrivals(16, first, stalledAt(first));
  for (const t of rest) recordArrival(w, t, stalledAt(t), assumed);
  return w;
}
const every = (ms: number, n: number, start = 0) => Array.from({ length: n }, (_, k) => start + k * ms);
const held = (w: ArrivalWindow) => w.gaps.slice(0, w.count);

describe('learned interval (docs/protocol.md §4)', () => {
  it('the burst of changes a peer announces as it starts is not its interval', () => {
    const w = fed([0, 1, 100, 101, 200, 300, ...every(2_000, 5, 2_000)]);
    expect(held(w)).toEqual([2_000, 2_000, 2_000, 2_000, 2_000]);
  });

  it('one lost PDU or one outage does not move the median', () => {
    const times = [...every(1_000, 10), 11_000, 12_000, ...every(1_000, 5, 40_000)];
    const w = fed(times);
    expect(w.largest).toBe(28_000);
    expect(w.median).toBe(1_000);
  });

  it('our own stalls are taken out of the gaps', () => {
    // We stalled 3 s between 5.5 s and 8.5 s: the PDUs of 6, 7 and 8 s all reach us at 8.5 s.
    const stalledAt = (t: number) => (t >= 8_500 ? 3_000 : 0);
    const w = fed([...every(1_000, 6), 8_500, 8_500, 8_500, ...every(1_000, 5, 9_000)], stalledAt);
    expect(w.median).toBe(1_000);
    expect(w.largest).toBeLessThanOrEqual(1_000);
  });

  it('a peer announcing faster than assumed is learned from its even spacing', () => {
    expect(fed(every(150, 40), undefined, 2_000).median).toBe(150);
  });

  it('memory is bounded by the window', () => {
    const w = fed(every(1_000, 1_000));
    expect(w.gaps).toHaveLength(16);
    expect(w.count).toBe(16);
  });
});
