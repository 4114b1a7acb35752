/** What one scenario run produced: verdict, checks, measures and the recorded log. */
import type { ReaderTally } from '../checks/acked.js';
import type { FailoverMeasure } from '../checks/failover-time.js';
import type { Claim } from '../checks/one-host.js';
import type { SimEvent } from '../checks/log.js';

/** Verdict of one run. `pending`/`skipped` runs did not start any process. */
export type RunStatus = 'passed' | 'failed' | 'pending' | 'skipped' | 'error';

/** One named check and its outcome. */
export interface CheckOutcome {
  readonly name: string;
  /** Scenario line of the step or expectation, when there is one. */
  readonly line?: number;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** Summary of the discovery traffic recorded during the run. */
export interface WireSummary {
  readonly datagrams: number;
  /** Datagrams `decodePdu` accepted. */
  readonly decoded: number;
  /** Public channels seen announced, per announcing peer. */
  readonly announced: Readonly<Record<string, readonly string[]>>;
  /** When each peer announced each channel (merged claims), for the timeline. */
  readonly spans?: readonly Claim[];
}

/** The result of running one scenario once. */
export interface RunResult {
  readonly scenario: string;
  readonly file: string;
  readonly backend: string;
  /** Some host ran in secure mode (docs/security.md); the text and HTML reports say so beside the backend. */
  readonly secure?: boolean;
  /** How hosts were linked and network faults made: loopback, bridge, netem or switch (userspace). */
  readonly network?: string;
  /** Frames the userspace switch delivered, cut, lost and duplicated, when it ran. */
  readonly frames?: Readonly<Record<string, number>>;
  readonly status: RunStatus;
  /** Why it is pending, skipped or in error. */
  readonly reason?: string;
  readonly announceIntervalMs: number;
  readonly durationMs: number;
  /** ms since the start when teardown began (a `teardown` event in the log): later exits are cleanup. */
  readonly teardownMs?: number;
  readonly checks: readonly CheckOutcome[];
  readonly failovers: readonly FailoverMeasure[];
  /** Per present member at the end: posts expected, received, lost and duplicated. */
  readonly readers?: Readonly<Record<string, ReaderTally>>;
  readonly wire: WireSummary;
  readonly events: readonly SimEvent[];
  /** Last lines of each host's own log, for the report. */
  readonly logs: Readonly<Record<string, readonly string[]>>;
}
