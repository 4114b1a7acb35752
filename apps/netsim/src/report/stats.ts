/** Failover statistics over repeated runs of one scenario. */
import type { RunResult } from '../runner/result.js';

/** Min, median and max of a list of numbers. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The spread of `values`, or undefined for an empty list. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
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
}

/** The first fault of a run that healed: the scenario's headline failover time. */
export function headlineFailover(r: RunResult): { ms: number; intervals: number } | undefined {
  const f = r.failovers.find((x) => x.healedMs !== undefined);
  return f?.healedMs === undefined ? undefined : { ms: f.healedMs, intervals: f.healedMs / r.announceIntervalMs };
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
  };
}
