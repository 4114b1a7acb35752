/**
 * The box's stats from its workers' (README "Workers"): counters and gauges summed, error counts
 * merged by code, the fan-out latency histograms merged bucket by bucket (percentiles read again
 * from the merged counts), the store writable only while every worker's is. Pure.
 */
import type { HostStats } from '@ims/host-service';
import type { HistoryCounters } from '../metrics/metrics.js';

/** What one worker reports besides its host's stats. */
export interface WorkerSample {
  /** The host service's stats in that worker. */
  readonly host: HostStats;
  /** Its SQLite store's counters; absent when history is in memory. */
  readonly history: HistoryCounters | undefined;
  /** CPU time the worker process used, µs (user + system). */
  readonly cpuUs: number;
  /** Its resident set size, bytes. */
  readonly rssBytes: number;
}

type Histogram = HostStats['fanoutLatency'];

/** The smallest bucket bound whose cumulative count reaches `q` of `count` (how histogram.ts reads percentiles). */
function quantile(buckets: Histogram['buckets'], count: number, maxUs: number, q: number): number {
  if (count === 0) return 0;
  const rank = Math.ceil(q * count);
  for (const [bound, n] of buckets) if (n >= rank) return bound === Infinity ? maxUs : bound;
  return maxUs;
}

/** Histograms with the same bounds, merged. */
export function mergeHistograms(hs: readonly Histogram[]): Histogram {
  const first = hs[0];
  if (first === undefined) return { buckets: [], count: 0, sumUs: 0, maxUs: 0, p50Us: 0, p99Us: 0 };
  const buckets = first.buckets.map(([bound], i) => [bound, hs.reduce((n, h) => n + (h.buckets[i]?.[1] ?? 0), 0)] as const);
  const count = hs.reduce((n, h) => n + h.count, 0);
  const maxUs = hs.reduce((n, h) => Math.max(n, h.maxUs), 0);
  return { buckets, count, sumUs: hs.reduce((n, h) => n + h.sumUs, 0), maxUs, p50Us: quantile(buckets, count, maxUs, 0.5), p99Us: quantile(buckets, count, maxUs, 0.99) };
}

function sumOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let n = 0;
  for (const x of xs) n += f(x);
  return n;
}

/** The host stats of the whole box; `primaryErrors` adds the refusals the primary counted before handoff. */
export function aggregateHostStats(hosts: readonly HostStats[], primaryErrors: Readonly<Record<string, number>> = {}): HostStats {
  const errors: Record<string, number> = { ...primaryErrors };
  for (const h of hosts) for (const [code, n] of Object.entries(h.errors)) errors[code] = (errors[code] ?? 0) + n;
  return {
    connections: sumOf(hosts, (h) => h.connections),
    channels: sumOf(hosts, (h) => h.channels),
    members: sumOf(hosts, (h) => h.members),
    framesIn: sumOf(hosts, (h) => h.framesIn),
    framesOut: sumOf(hosts, (h) => h.framesOut),
    errors,
    fanoutLatency: mergeHistograms(hosts.map((h) => h.fanoutLatency)),
    store: {
      writable: hosts.every((h) => h.store.writable),
      committedPosts: sumOf(hosts, (h) => h.store.committedPosts),
      refusedPosts: sumOf(hosts, (h) => h.store.refusedPosts),
      failedCommits: sumOf(hosts, (h) => h.store.failedCommits),
    },
    historyPulls: {
      pulls: sumOf(hosts, (h) => h.historyPulls.pulls),
      failures: sumOf(hosts, (h) => h.historyPulls.failures),
      posts: sumOf(hosts, (h) => h.historyPulls.posts),
    },
  };
}

/** The SQLite counters of the box; undefined when no worker has a store. */
export function aggregateHistory(samples: readonly WorkerSample[]): WorkerSample['history'] {
  const hs = samples.flatMap((s) => (s.history ? [s.history] : []));
  if (hs.length === 0) return undefined;
  return {
    written: sumOf(hs, (h) => h.written),
    pending: sumOf(hs, (h) => h.pending),
    failedCommits: sumOf(hs, (h) => h.failedCommits),
    unimported: sumOf(hs, (h) => h.unimported),
    failedImports: sumOf(hs, (h) => h.failedImports),
  };
}
