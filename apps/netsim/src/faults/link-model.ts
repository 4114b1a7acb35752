/**
 * What a faulty link does to one frame: drop it, send it once or twice, and when each copy
 * arrives. Pure (time and randomness are passed in), so the userspace switch and its tests share it.
 * The knobs and their meaning follow `tc netem`, so a scenario means the same on either mechanism.
 */

/** Impairments of a host's outgoing traffic. Every field is optional; absent means none. */
export interface LinkFault {
  /** Added one-way delay, ms. */
  readonly delayMs?: number;
  /** Uniform random ± spread around `delayMs`, ms (reorders frames, as netem does). */
  readonly jitterMs?: number;
  /** Percent of frames dropped. */
  readonly lossPercent?: number;
  /** Percent of frames sent twice. */
  readonly duplicatePercent?: number;
  /** Percent of frames sent at once, skipping the delay (so they overtake the others). */
  readonly reorderPercent?: number;
  /** Bandwidth, kbit/s: frames queue behind each other at this rate. */
  readonly rateKbit?: number;
}

/** The link's state between frames: when its bandwidth queue is free again. */
export interface LinkState {
  busyUntil: number;
}

/** Whether `f` impairs anything. */
export function isClean(f: LinkFault): boolean {
  return !f.delayMs && !f.jitterMs && !f.lossPercent && !f.duplicatePercent && !f.reorderPercent && !f.rateKbit;
}

/**
 * The delivery times (absolute, ms) of a frame of `bytes` sent at `now`: none when it is lost,
 * two when it is duplicated. `random` returns [0, 1).
 */
export function planFrame(f: LinkFault, state: LinkState, bytes: number, now: number, random: () => number): number[] {
  if (f.lossPercent && random() * 100 < f.lossPercent) return [];
  let sent = now;
  if (f.rateKbit) {
    // Serialised behind the frames before it: a slow link queues rather than drops.
    const start = Math.max(now, state.busyUntil);
    state.busyUntil = start + (bytes * 8) / f.rateKbit;
    sent = state.busyUntil;
  }
  const reordered = f.reorderPercent !== undefined && f.reorderPercent > 0 && random() * 100 < f.reorderPercent;
  const delay = (): number => {
    if (reordered) return 0;
    const spread = f.jitterMs ? (random() * 2 - 1) * f.jitterMs : 0;
    return Math.max(0, (f.delayMs ?? 0) + spread);
  };
  const times = [sent + delay()];
  if (f.duplicatePercent && random() * 100 < f.duplicatePercent) times.push(sent + delay());
  return times;
}

/** A small seeded PRNG (mulberry32), so a run's losses can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
