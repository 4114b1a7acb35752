/**
 * Local health, as HashiCorp's Lifeguard measures it (docs/protocol.md §4): when our own timers run
 * late (a starved CPU, a blocked event loop, a stopped process), the time we could not run is not
 * the peers' silence, and while our lag stays high every threshold is widened by a multiplier that
 * decays back, instead of declaring healthy peers dead. Pure: times come in as scheduler ms.
 */

/** What local health needs from the table options. */
export interface HealthConfig {
  readonly intervalMs: number;
  readonly lagHalfLifeMs: number;
  readonly maxHealthMultiplier: number;
}

/** Measured local lag; mutable, one per table. */
export interface LocalHealth {
  /** When the next liveness check is due; undefined while no check is scheduled. */
  dueAt: number | undefined;
  /** Total lateness of our checks so far: time taken out of every peer's silence. */
  stalledMs: number;
  /** Recent lag: the latest lateness or the decayed earlier peak, whichever is larger. */
  lagMs: number;
  /** Largest single lateness since start. */
  maxLagMs: number;
  /** max(1, lagMs / intervalMs), at most maxHealthMultiplier: applied to every silence threshold. */
  multiplier: number;
  /** Scheduler time of the last update of `lagMs`. */
  at: number;
}

/**
 * Our lag in our own intervals, at least 1: a peer as late as we are is then still inside its
 * disconnect threshold (a lag under one interval needs no widening: its PDU is one interval late
 * at most, and `disconnected` takes three), and a lag of a few ms on a short interval (a GC pause,
 * a busy start) does not slow detection.
 */
function multiplierOf(lagMs: number, config: HealthConfig): number {
  return Math.min(config.maxHealthMultiplier, Math.max(1, lagMs / config.intervalMs));
}

/** Health with no lag measured. */
export function createLocalHealth(): LocalHealth {
  return { dueAt: undefined, stalledMs: 0, lagMs: 0, maxLagMs: 0, multiplier: 1, at: 0 };
}

/** Let the recent lag decay to `now` (half-life `lagHalfLifeMs`) and recompute the multiplier. */
export function decayLag(h: LocalHealth, config: HealthConfig, now: number): void {
  const elapsed = now - h.at;
  if (elapsed > 0) {
    h.lagMs = h.lagMs * 2 ** (-elapsed / config.lagHalfLifeMs);
    h.at = now;
  }
  h.multiplier = multiplierOf(h.lagMs, config);
}

/**
 * Something ran at `now`: if the liveness check due at `dueAt` has not run yet, we are late by
 * `now − dueAt` (the loop could not run it, nor receive). Count that once: it is taken out of the
 * peers' silence and raises the recent lag. Called by each check and before each received datagram,
 * so that datagrams queued during a stall are seen as on time whichever runs first.
 */
export function observeLag(h: LocalHealth, config: HealthConfig, now: number): void {
  decayLag(h, config, now);
  if (h.dueAt === undefined || now <= h.dueAt) return;
  const late = now - h.dueAt;
  h.dueAt = now;
  h.stalledMs += late;
  h.maxLagMs = Math.max(h.maxLagMs, late);
  h.lagMs = Math.max(h.lagMs, late);
  h.multiplier = multiplierOf(h.lagMs, config);
}

/** A check ran at `now`; the next is due `periodMs` later. */
export function checkScheduled(h: LocalHealth, now: number, periodMs: number): void {
  h.dueAt = now + periodMs;
}
