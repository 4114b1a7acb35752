/** Failover statistics over repeated runs of one scenario. */
import type { RunResult } from '../runner/result.js';

/** Min, median, 95th percentile and max of a list of numbers. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  /** Nearest rank: the smallest value at or above 95 % of the values. */
  readonly p95: number;
  readonly max: number;
}

/** The spread of `values`, or undefined for an empty list. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  const p95 = s[Math.max(0, Math.ceil(0.95 * s.length) - 1)] as number;
  return { min: s[0] as number, median, p95, max: s[s.length - 1] as number };
}

/** What `--repeat N` reports for one scenario. */
export interface RepeatSummary {
  readonly scenario: string;
  readonly runs: number;
  readonly failed: number;
  /** Failover time of each run's first measured fault, in ms. */
  readonly failoverMs: Spread | undefined;
  /** The same in announce intervals. */
  readonly failoverIntervals: Spread | undefined;
  /** Each run's headline failover time in ms, in run order (runs without one left out). */
  readonly failoverSamplesMs: readonly number[];
}

/** The first fault of a run that healed: the scenario's headline failover time, and its fault kind. */
export function headlineFailover(r: RunResult): { ms: number; intervals: number; fault: string } | undefined {
  const f = r.failovers.find((x) => x.healedMs !== undefined);
  return f?.healedMs === undefined ? undefined : { ms: f.healedMs, intervals: f.healedMs / r.announceIntervalMs, fault: f.fault };
}

/** Summarises repeated runs of the same scenario. */
export function summariseRepeats(runs: readonly RunResult[]): RepeatSummary {
  const times = runs.flatMap((r) => {
    const h = headlineFailover(r);
    return h ? [h] : [];
  });
  return {
    scenario: runs[0]?.scenario ?? '',
    runs: runs.length,
    failed: runs.filter((r) => r.status === 'failed' || r.status === 'error').length,
    failoverMs: spread(times.map((t) => t.ms)),
    failoverIntervals: spread(times.map((t) => t.intervals)),
    failoverSamplesMs: times.map((t) => t.ms),
  };
}
