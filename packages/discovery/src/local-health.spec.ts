import { describe, expect, it } from 'vitest';
import { checkScheduled, createLocalHealth, decayLag, observeLag } from './local-health.js';

const config = { intervalMs: 1_000, lagHalfLifeMs: 5_000, maxHealthMultiplier: 8 };

describe('local health (docs/protocol.md §4)', () => {
  it('counts how late a check runs, once, whether a datagram or the check notices first', () => {
    const h = createLocalHealth();
    checkScheduled(h, 0, 250);
    observeLag(h, config, 250); // on time
    expect(h.stalledMs).toBe(0);
    checkScheduled(h, 250, 250);
    observeLag(h, config, 3_000); // a datagram handled while the check is 2.5 s overdue
    observeLag(h, config, 3_010); // the check itself, right after
    expect(h.stalledMs).toBe(2_510);
    expect(h.maxLagMs).toBe(2_500);
    expect(h.multiplier).toBeCloseTo(2.5, 1);
  });

  it('the recent lag decays with its half-life; the multiplier is capped', () => {
    const h = createLocalHealth();
    checkScheduled(h, 0, 250);
    observeLag(h, config, 20_250); // stopped for 20 s
    expect(h.multiplier).toBe(8);
    decayLag(h, config, 20_250 + 5_000);
    expect(h.lagMs).toBeCloseTo(10_000);
    decayLag(h, config, 20_250 + 60_000);
    expect(h.multiplier).toBe(1);
    expect(h.stalledMs).toBe(20_000);
  });

  it('a lag under one interval (a GC pause, a busy start) widens nothing, though it is still no peer\'s silence', () => {
    const h = createLocalHealth();
    checkScheduled(h, 0, 250);
    observeLag(h, config, 250 + 900);
    expect(h.multiplier).toBe(1);
    expect(h.stalledMs).toBe(900);
  });

  it('nothing counts while no check is scheduled', () => {
    const h = createLocalHealth();
    observeLag(h, config, 100_000);
    expect(h).toMatchObject({ stalledMs: 0, lagMs: 0, multiplier: 1 });
  });
});
