/**
 * What `discover()` reports of its local health (docs/protocol.md §4): the lag figures in
 * `stats()`, and one warn entry when thresholds start being widened and one when they are back.
 */
import type { LocalHealth } from './local-health.js';
import type { DiscoveryLog } from './stats.js';

/** Multiplier from which the widening is logged as degraded. */
const DEGRADED_AT = 2;
/** Multiplier below which it is logged as recovered (hysteresis: no flapping log lines). */
const RECOVERED_BELOW = 1.25;

/** The local health figures of `DiscoveryStats`. */
export interface LocalHealthStats {
  readonly lagMs: number;
  readonly maxLagMs: number;
  readonly stalledMs: number;
  readonly healthMultiplier: number;
}

/** The stats view of `health`, rounded to what a metric needs. */
export function localHealthStats(health: LocalHealth): LocalHealthStats {
  return {
    lagMs: Math.round(health.lagMs),
    maxLagMs: Math.round(health.maxLagMs),
    stalledMs: Math.round(health.stalledMs),
    healthMultiplier: Math.round(health.multiplier * 100) / 100,
  };
}

/** Logs the transitions of `health` when `check()` is called after each liveness check. */
export function createHealthLog(health: LocalHealth, log: DiscoveryLog): { check(): void } {
  let degraded = false;
  return {
    check() {
      if (!degraded && health.multiplier >= DEGRADED_AT) {
        degraded = true;
        const reason = `timers ran up to ${Math.round(health.lagMs)} ms late; liveness thresholds widened ×${health.multiplier.toFixed(2)}`;
        log({ level: 'warn', event: 'localLag', reason });
      } else if (degraded && health.multiplier < RECOVERED_BELOW) {
        degraded = false;
        log({ level: 'warn', event: 'localLagRecovered', reason: `liveness thresholds back to ×${health.multiplier.toFixed(2)}` });
      }
    },
  };
}
