import { describe, expect, it } from 'vitest';
import { Histogram, type HostStats } from '@ims/host-service';
import { aggregateHistory, aggregateHostStats, mergeHistograms, type WorkerSample } from './aggregate.js';
import { renderWorkerMetrics } from './worker-metrics.js';

function hostStats(over: Partial<HostStats>, latenciesUs: readonly number[] = []): HostStats {
  const h = new Histogram();
  for (const us of latenciesUs) h.record(us);
  return {
    connections: 0,
    channels: 0,
    members: 0,
    framesIn: 0,
    framesOut: 0,
    errors: {},
    fanoutLatency: h.snapshot(),
    store: { writable: true, committedPosts: 0, refusedPosts: 0, failedCommits: 0 },
    historyPulls: { pulls: 0, failures: 0, posts: 0 },
    ...over,
  };
}

describe('aggregateHostStats', () => {
  it('sums counters and gauges, merges error codes with the primary refusals', () => {
    const a = hostStats({ connections: 3, channels: 1, members: 3, framesIn: 10, framesOut: 30, errors: { FLOOD: 1 } });
    const b = hostStats({ connections: 2, channels: 2, members: 2, framesIn: 5, framesOut: 7, errors: { FLOOD: 2, IDLE_TIMEOUT: 1 } });
    const s = aggregateHostStats([a, b], { MAX_CONNECTIONS_PER_IP: 4 });
    expect(s).toMatchObject({ connections: 5, channels: 3, members: 5, framesIn: 15, framesOut: 37 });
    expect(s.errors).toEqual({ FLOOD: 3, IDLE_TIMEOUT: 1, MAX_CONNECTIONS_PER_IP: 4 });
  });

  it('is writable only while every worker store is', () => {
    const ok = hostStats({});
    const failing = hostStats({ store: { writable: false, committedPosts: 5, refusedPosts: 2, failedCommits: 1 } });
    expect(aggregateHostStats([ok, failing]).store).toEqual({ writable: false, committedPosts: 5, refusedPosts: 2, failedCommits: 1 });
    expect(aggregateHostStats([ok, ok]).store.writable).toBe(true);
  });

  it('with no worker answering, reads as an empty box', () => {
    const s = aggregateHostStats([]);
    expect(s).toMatchObject({ connections: 0, channels: 0, errors: {} });
    expect(s.fanoutLatency.count).toBe(0);
  });
});

describe('mergeHistograms', () => {
  it('equals the histogram of all samples recorded in one', () => {
    const xs = [3, 40, 900, 5, 70_000];
    const ys = [1, 2, 2_000_000, 16];
    const one = new Histogram();
    for (const us of [...xs, ...ys]) one.record(us);
    const merged = mergeHistograms([hostStats({}, xs).fanoutLatency, hostStats({}, ys).fanoutLatency]);
    expect(merged).toEqual(one.snapshot());
  });
});

describe('aggregateHistory and the per-worker lines', () => {
  const sample = (channels: number, written: number): WorkerSample => ({ host: hostStats({ channels }), history: { written, pending: 1, failedCommits: 0, unimported: written, failedImports: 1 }, cpuUs: 2_500_000, rssBytes: 1000 });

  it('sums the SQLite counters, undefined without any store', () => {
    expect(aggregateHistory([sample(1, 10), sample(2, 5)])).toEqual({ written: 15, pending: 2, failedCommits: 0, unimported: 15, failedImports: 2 });
    expect(aggregateHistory([{ ...sample(1, 1), history: undefined }])).toBeUndefined();
  });

  it('labels each worker; one that did not answer is down and has no other line', () => {
    const body = renderWorkerMetrics(
      [
        { index: 0, pid: 10, ready: true, restarts: 0 },
        { index: 1, pid: 11, ready: true, restarts: 2 },
      ],
      [sample(4, 0), undefined],
    );
    expect(body).toContain('ims_worker_up{worker="0"} 1\n');
    expect(body).toContain('ims_worker_up{worker="1"} 0\n');
    expect(body).toContain('ims_worker_restarts_total{worker="1"} 2\n');
    expect(body).toContain('ims_worker_channels{worker="0"} 4\n');
    expect(body).not.toContain('ims_worker_channels{worker="1"}');
    expect(body).toContain('ims_worker_cpu_seconds_total{worker="0"} 2.5\n');
  });
});
