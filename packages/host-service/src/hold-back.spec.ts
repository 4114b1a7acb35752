import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { HostEntry } from './host-entry.js';
import { HOLD_MS, HoldBack } from './hold-back.js';

/** A held connection as the wheel sees it, recording when it was resumed. */
function fakeEntry(s: VirtualTimeScheduler, resumed: number[]): HostEntry {
  const conn = { pause: () => undefined, resume: () => void resumed.push(s.now()) };
  return { conn, holdStreak: 0, holdSlot: undefined } as unknown as HostEntry;
}

/** Runs virtual time up to `ms`. */
function runTo(s: VirtualTimeScheduler, ms: number): void {
  s.maxFrames = ms;
  s.flush();
}

describe('HoldBack', () => {
  it('resumes a connection after 20 ms, doubling the wait each time it is held again, back to 20 ms once a frame got through', () => {
    const s = new VirtualTimeScheduler();
    const hb = new HoldBack(s);
    const resumed: number[] = [];
    const e = fakeEntry(s, resumed);
    hb.hold(e);
    runTo(s, 1_000);
    expect(resumed).toHaveLength(1);
    const first = resumed[0] as number;
    expect(first).toBeGreaterThanOrEqual(HOLD_MS);
    expect(first).toBeLessThan(HOLD_MS + 20);
    hb.hold(e);
    runTo(s, 2_000);
    expect((resumed[1] as number) - first).toBeGreaterThanOrEqual(2 * HOLD_MS);
    hb.passed(e);
    const before = s.now();
    hb.hold(e);
    runTo(s, 3_000);
    expect((resumed[2] as number) - before).toBeLessThan(HOLD_MS + 20);
    expect(hb.size).toBe(0);
  });

  it('caps the wait at 320 ms, spreads connections held together over several ticks, and forgets a closed one', () => {
    const s = new VirtualTimeScheduler();
    const hb = new HoldBack(s);
    const resumed: number[] = [];
    const crowd = Array.from({ length: 8 }, () => fakeEntry(s, resumed));
    for (const e of crowd) hb.hold(e);
    const gone = fakeEntry(s, resumed);
    hb.hold(gone);
    hb.forget(gone);
    expect(hb.size).toBe(8);
    runTo(s, 1_000);
    expect(resumed).toHaveLength(8);
    expect(new Set(resumed).size).toBeGreaterThan(1);
    const streaked = fakeEntry(s, resumed);
    streaked.holdStreak = 50;
    const at = s.now();
    hb.hold(streaked);
    runTo(s, 5_000);
    expect((resumed[8] as number) - at).toBeLessThanOrEqual(16 * HOLD_MS + 20);
  });
});
